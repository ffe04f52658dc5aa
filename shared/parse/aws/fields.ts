// Token scanners and value helpers shared by the AWS service log parsers: one pass over a line, no backtracking regex.
import type { Fields } from '#shared/model.ts';
import { setOwn } from '#shared/parse/merge.ts';

const SPACE = 0x20;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;

/** True when the quote at `i` is escaped: an odd run of backslashes stands before it. */
function escaped(line: string, i: number): boolean {
  let n = 0;
  for (let j = i - 1; j >= 0 && line.charCodeAt(j) === BACKSLASH; j--) n++;
  return n % 2 === 1;
}

function unescapeQuotes(value: string): string {
  return value.includes('\\') ? value.replace(/\\(["\\])/g, '$1') : value;
}

/**
 * Splits a space-separated line into its fields, as ELB and S3 server access logs write them. A field
 * opening with `"` runs to the next unescaped `"` followed by a space or the end (a user agent may hold
 * quotes and spaces), and loses its quotes and `\"` escapes; one opening with `[` runs to the next `]`
 * (S3's `[06/Feb/2019:00:00:38 +0000]`). Each character is read at most twice, so the time is linear
 * in the line whatever it holds. An unterminated quote takes the rest of the line.
 *
 * @example
 * splitFields('h2 "GET / HTTP/2.0" [a b] -') // ['h2', 'GET / HTTP/2.0', 'a b', '-']
 */
export function splitFields(line: string): string[] {
  const out: string[] = [];
  const n = line.length;
  let i = 0;
  // Where the next `]` is, found once and reused: searching again from every `[` would be quadratic
  // on a line of `[` without `]`. -1: none in the rest of the line.
  let close = -2;
  while (i <= n) {
    const c = line.charCodeAt(i);
    if (c === QUOTE) {
      let j = line.indexOf('"', i + 1);
      while (j >= 0) {
        const next = line.charCodeAt(j + 1);
        if ((j + 1 === n || next === SPACE) && !escaped(line, j)) break;
        j = line.indexOf('"', j + 1);
      }
      if (j < 0) {
        out.push(unescapeQuotes(line.slice(i + 1)));
        return out;
      }
      out.push(unescapeQuotes(line.slice(i + 1, j)));
      i = j + 2;
      continue;
    }
    if (c === OPEN_BRACKET && close !== -1) {
      if (close < i) close = line.indexOf(']', i + 1);
      const j = close;
      if (j >= 0 && (j + 1 === n || line.charCodeAt(j + 1) === SPACE)) {
        out.push(line.slice(i + 1, j));
        i = j + 2;
        continue;
      }
    }
    const j = line.indexOf(' ', i);
    if (j < 0) {
      if (i < n) out.push(line.slice(i));
      return out;
    }
    out.push(line.slice(i, j));
    i = j + 1;
  }
  return out;
}

/**
 * `-` (or nothing) means absent in every AWS service log.
 *
 * @example
 * present('-') // undefined
 */
export function present(value: string | undefined): string | undefined {
  return value === undefined || value === '-' || value === '' ? undefined : value;
}

/**
 * A decimal number, or undefined for `-`, empty or anything else.
 *
 * @example
 * num('0.002') // 0.002
 */
export function num(value: string | undefined): number | undefined {
  const v = present(value);
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * An integer that fits a double exactly, or undefined.
 *
 * @example
 * int('-') // undefined
 */
export function int(value: string | undefined): number | undefined {
  const n = num(value);
  return n !== undefined && Number.isSafeInteger(n) ? n : undefined;
}

/**
 * `ip:port` as ELB writes it, IPv6 literals included (`[2001:db8::1]:443` or `2001:db8::1:443`: the
 * port is after the last colon either way).
 *
 * @example
 * hostPort('[2001:db8::1]:443') // { ip: '2001:db8::1', port: 443 }
 */
export function hostPort(value: string | undefined): { ip: string; port?: number } | undefined {
  const v = present(value);
  if (v === undefined) return undefined;
  const colon = v.lastIndexOf(':');
  if (colon < 0) return { ip: stripBrackets(v) };
  const port = int(v.slice(colon + 1));
  const ip = stripBrackets(v.slice(0, colon));
  return port === undefined ? { ip: stripBrackets(v) } : { ip, port };
}

function stripBrackets(v: string): string {
  return v.charCodeAt(0) === OPEN_BRACKET && v.endsWith(']') ? v.slice(1, -1) : v;
}

const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/**
 * Whether `value` is an IPv4 or IPv6 literal (what an `ip` field takes), not a host name.
 *
 * @example
 * isIp('2001:db8::1') // true; isIp('ec2.amazonaws.com') // false
 */
export function isIp(value: string): boolean {
  if (IPV4.test(value)) return true;
  if (!value.includes(':') || value.length > 45) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i) | 0x20;
    // Hex digits, `:` and the dots of an embedded IPv4 (`::ffff:1.2.3.4`).
    if (!((c >= 0x30 && c <= 0x3a) || (c >= 0x61 && c <= 0x66) || c === 0x2e)) return false;
  }
  return true;
}

/**
 * ECS TLS version fields from the spellings AWS services use: `TLSv1.2`, `tlsv12` (NLB), `TLSV1.3`
 * (S3), `SSLv3`.
 *
 * @example
 * tlsVersion('tlsv12') // { version_protocol: 'tls', version: '1.2' }
 */
export function tlsVersion(value: string | undefined): Fields | undefined {
  const v = present(value)?.toLowerCase();
  if (v === undefined) return undefined;
  const protocol = v.startsWith('tls') ? 'tls' : v.startsWith('ssl') ? 'ssl' : undefined;
  if (!protocol) return { version: v };
  let rest = v.slice(3);
  if (rest.startsWith('v')) rest = rest.slice(1);
  if (/^\d\d$/.test(rest)) rest = `${rest[0]}.${rest[1]}`;
  else if (/^\d$/.test(rest)) rest = `${rest}.0`;
  return { version_protocol: protocol, version: rest };
}

/**
 * ECS `url.*` from an absolute URL as load balancers log it (`https://example.com:443/a?b=1`), in one
 * pass; anything that is not `scheme://…` is kept whole in `url.original`.
 *
 * @example
 * urlFields('https://example.com:443/a?b=1') // { original: …, scheme: 'https', domain: 'example.com', port: 443, path: '/a', query: 'b=1' }
 */
export function urlFields(url: string): Fields {
  const out: Fields = { original: url };
  const sep = url.indexOf('://');
  if (sep <= 0) return out;
  out.scheme = url.slice(0, sep);
  const start = sep + 3;
  let pathAt = url.indexOf('/', start);
  if (pathAt < 0) pathAt = url.length;
  const authority = url.slice(start, pathAt);
  const at = hostPort(authority);
  if (at?.ip) out.domain = at.ip;
  if (at?.port !== undefined) out.port = at.port;
  const rest = url.slice(pathAt);
  const q = rest.indexOf('?');
  const path = q < 0 ? rest : rest.slice(0, q);
  if (path) out.path = path;
  if (q >= 0 && q + 1 < rest.length) out.query = rest.slice(q + 1);
  return out;
}

/**
 * Sets `obj[key]` (own property, safe for `__proto__`) only when the value is defined: AWS logs write
 * `-` for most absent fields, and a document leaves them out.
 *
 * @example
 * put(elb, 'trace_id', present(field)) // nothing set for `-`
 */
export function put(obj: Fields, key: string, value: unknown): void {
  if (value !== undefined) setOwn(obj, key, value);
}

/**
 * Percent-decoding that never throws: a malformed escape leaves the value as logged.
 *
 * @example
 * percentDecode('Mozilla/5.0%20(X11)') // 'Mozilla/5.0 (X11)'
 */
export function percentDecode(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * `a-b-c` → `a_b_c`: the snake_case field name of a hyphenated AWS field.
 *
 * @example
 * snake('pkt-src-aws-service') // 'pkt_src_aws_service'
 */
export function snake(name: string): string {
  return name.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}
