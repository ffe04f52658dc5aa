// What an access line writes before its `[time]`: client, ident and user, and what formats put in front (a virtual host, an X-Forwarded-For list), scanned once.
import type { Fields } from '#shared/model.ts';
import { forwardedList, ipAndPort } from './http-request.ts';

/** The parts of an access line's prefix (everything before ` [dd/Mon/yyyy:…]`). */
export interface AccessPrefix {
  /** The peer: `$remote_addr` / `%h`, as written (may be `[::1]:8080`, a hostname, `unix:`). */
  client: string;
  ident: string;
  user: string;
  /** An X-Forwarded-For list written before the client, or as the client (`$proxy_add_x_forwarded_for`). */
  chain?: string[];
  /** The list stands where the client does: its first address is then the source. */
  chainIsClient?: boolean;
  /** A virtual host or `$host` in front (`example.com`, `example.com:80`, `10.0.0.1:443`). */
  host?: string;
}

/**
 * Tokens of a prefix: space-separated, a quoted token kept whole (`"a, b"`), and a token ending in
 * `,` joined with the next one (`10.0.0.2, 10.0.0.1`): one pass, no backtracking.
 */
function tokens(prefix: string): { text: string; list: boolean }[] {
  const out: { text: string; list: boolean }[] = [];
  let i = 0;
  const n = prefix.length;
  while (i < n) {
    if (prefix.charCodeAt(i) === 0x20) {
      i++;
      continue;
    }
    if (prefix.charCodeAt(i) === 0x22 /* " */) {
      const end = prefix.indexOf('"', i + 1);
      if (end < 0) return [];
      const text = prefix.slice(i + 1, end);
      out.push({ text, list: text.includes(',') || text === '-' });
      i = end + 1;
      continue;
    }
    let end = prefix.indexOf(' ', i);
    if (end < 0) end = n;
    while (end < n && prefix.charCodeAt(end - 1) === 0x2c /* , */) {
      const next = prefix.indexOf(' ', end + 1);
      end = next < 0 ? n : next;
    }
    const text = prefix.slice(i, end);
    out.push({ text, list: text.includes(',') });
    // More than a prefix ever holds: not an access line; stop before reading the rest.
    if (out.length > 5) return out;
    i = end;
  }
  return out;
}

/**
 * Splits an access line's prefix into its parts, or undefined when it has fewer than three tokens
 * (client, ident, user) or more than the formats that put something in front write. The client
 * stands last before ident and user; before it, a list is X-Forwarded-For and anything else is a
 * virtual host (Apache's vhost_combined `%v:%p`, an nginx `$host` first).
 *
 * @example
 * accessPrefix('example.com:80 "10.5.1.2, 10.0.0.1" 10.2.1.185 - -')
 * // { host: 'example.com:80', chain: ['10.5.1.2', '10.0.0.1'], client: '10.2.1.185', ident: '-', user: '-' }
 */
export function accessPrefix(prefix: string): AccessPrefix | undefined {
  // The common case, `client ident user` and nothing in front: three words, no quote, no list.
  const s1 = prefix.indexOf(' ');
  const s2 = s1 > 0 ? prefix.indexOf(' ', s1 + 1) : -1;
  if (s2 > s1 + 1 && prefix.indexOf(' ', s2 + 1) < 0 && s2 < prefix.length - 1) {
    const client = prefix.slice(0, s1);
    if (client.charCodeAt(0) !== 0x22 && !client.includes(','))
      return { client, ident: prefix.slice(s1 + 1, s2), user: prefix.slice(s2 + 1) };
  }
  const t = tokens(prefix);
  if (t.length < 3 || t.length > 5) return undefined;
  const ident = t[t.length - 2]!.text;
  const user = t[t.length - 1]!.text;
  const lead = t.slice(0, -2);
  const out: AccessPrefix = { client: lead[lead.length - 1]!.text, ident, user };
  const chainOf = (text: string) => forwardedList(text);
  if (lead.length === 1) {
    if (!lead[0]!.list) return out;
    return listAsClient(out, chainOf(out.client));
  }
  if (lead.length === 2) {
    const [a, b] = lead as [{ text: string; list: boolean }, { text: string; list: boolean }];
    if (a.list) return { ...out, chain: chainOf(a.text) };
    if (b.list) return listAsClient({ ...out, host: a.text }, chainOf(b.text));
    return { ...out, host: a.text };
  }
  const [a, b] = lead as [{ text: string; list: boolean }, { text: string; list: boolean }];
  if (a.list || !b.list) return undefined;
  return { ...out, host: a.text, chain: chainOf(b.text) };
}

/** A list where the client stands: its first address is the client, and hostnames stay text. */
function listAsClient(out: AccessPrefix, chain: string[] | undefined): AccessPrefix {
  if (!chain) return { ...out, client: out.client.split(',')[0]!.trim() };
  return { ...out, client: chain[0]!, chain, chainIsClient: true };
}

/**
 * `source.*` of a client as access logs write it: `source.ip` (and `source.port`) for an IP
 * literal, `[v6]:port` or `v4:port`; `source.address` for hostnames and sockets.
 *
 * @example
 * clientFields('[::1]:8080') // { ip: '::1', port: 8080 }
 */
export function clientFields(client: string): Fields {
  const hp = ipAndPort(client);
  if (!hp) return { address: client };
  return hp.port === undefined ? { ip: hp.ip } : { ip: hp.ip, port: hp.port };
}

/**
 * `destination.*` of a virtual host in front of the client: `ip` or `domain`, and `port`.
 *
 * @example
 * hostFields('example.com:80') // { domain: 'example.com', port: 80 }
 */
export function hostFields(host: string): Fields {
  const hp = ipAndPort(host);
  if (hp) return hp.port === undefined ? { ip: hp.ip } : { ip: hp.ip, port: hp.port };
  const colon = host.lastIndexOf(':');
  const port = colon > 0 ? Number(host.slice(colon + 1)) : Number.NaN;
  if (Number.isInteger(port) && port > 0 && port < 65_536 && /^\d+$/.test(host.slice(colon + 1)))
    return { domain: host.slice(0, colon), port };
  return { domain: host };
}
