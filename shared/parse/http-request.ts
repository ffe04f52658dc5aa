// Splits an access-log request line (`GET /path HTTP/1.1`) and undoes each server's quoting.
import { isIP, isIPv4, isIPv6 } from 'node:net';
import type { Fields } from '#shared/model.ts';

const VERSION = /^\d+(?:\.\d+)?$/;

/**
 * ECS request fields from a request line: the method, the version when the line ends with
 * `HTTP/x` (HTTP/0.9 requests have none, and a request cut at a length limit lost it), and
 * everything between as the URI, spaces included (a client that did not encode them). A line that
 * is no request (a TLS handshake on a plain port, `-`, empty) is kept whole in `url.original`
 * rather than mis-split.
 *
 * @example
 * requestFields('GET /a?b=1 HTTP/1.1') // { http: { request: { method: 'GET' }, version: '1.1' }, url: { original: '/a?b=1' } }
 */
export function requestFields(line: string): Fields {
  if (line === '' || line === '-') return {};
  const space = line.indexOf(' ');
  if (!isMethod(line, space)) return { url: { original: line } };
  const method = line.slice(0, space);
  let uri = line.slice(space + 1);
  let version: string | undefined;
  const at = uri.lastIndexOf(' HTTP/');
  const tail = at >= 0 ? uri.slice(at + 6) : '';
  if (at >= 0 && VERSION.test(tail)) {
    version = tail;
    uri = uri.slice(0, at);
  } else if (uri.startsWith('HTTP/') && VERSION.test(uri.slice(5))) {
    // `GET HTTP/1.1`: a request line without its URI.
    return { http: { request: { method }, version: uri.slice(5) } };
  }
  if (uri === '' || uri.charCodeAt(0) === 0x20) return { url: { original: line } };
  const http: Fields = { request: { method } };
  if (version !== undefined) http.version = version;
  return { http, url: { original: uri } };
}

/**
 * `line[0, end)` is a method (`[A-Z][A-Z_-]{0,31}`), read by character rather than by a regex on a
 * substring: this runs once per access line.
 */
function isMethod(line: string, end: number): boolean {
  if (end < 1 || end > 32) return false;
  for (let i = 0; i < end; i++) {
    const c = line.charCodeAt(i);
    const upper = c >= 0x41 && c <= 0x5a;
    if (!upper && (i === 0 || (c !== 0x5f && c !== 0x2d))) return false;
  }
  return true;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Escaped bytes as text: UTF-8 when they form it (`\xC3\xA9` is é), else one character per byte (a TLS handshake). */
function bytesToText(hex: string[]): string {
  const bytes = Uint8Array.from(hex, (h) => Number.parseInt(h, 16));
  if (bytes.some((b) => b >= 0x80)) {
    try {
      return utf8.decode(bytes);
    } catch {
      // Not UTF-8: fall through to one character per byte.
    }
  }
  let out = '';
  for (const b of bytes) out += String.fromCharCode(b);
  return out;
}

function unescapeRuns(text: string, run: RegExp, byte: RegExp): string {
  return text.replace(run, (seq) => bytesToText([...seq.matchAll(byte)].map((m) => m[1]!)));
}

/** nginx writes `"`, `\` and unsafe bytes as `\xHH`. */
export function unescapeNginx(text: string): string {
  if (!text.includes('\\x')) return text;
  return unescapeRuns(text, /(?:\\x[0-9A-Fa-f]{2})+/g, /\\x([0-9A-Fa-f]{2})/g);
}

const C_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', v: '\v', f: '\f', b: '\b' };

/** Apache escapes `"` and `\` with a backslash, whitespace C-style (`\n`, `\t`) and other bytes as `\xHH`. */
export function unescapeApache(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(/(?:\\x[0-9A-Fa-f]{2})+|\\(.)/g, (seq: string, esc: string | undefined) =>
    esc !== undefined ? (C_ESCAPES[esc] ?? esc) : unescapeRuns(seq, /.+/gs, /\\x([0-9A-Fa-f]{2})/g),
  );
}

const JSON_ESCAPES: Record<string, string> = { ...C_ESCAPES, '/': '/', '"': '"', '\\': '\\' };

/** nginx `escape=json`: JSON string escapes (`\"`, `\\`, `\n`, `\u00XX`). */
export function unescapeJson(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\(?:u([0-9A-Fa-f]{4})|(.))/g, (seq: string, hex?: string, esc?: string) =>
    hex !== undefined ? String.fromCharCode(Number.parseInt(hex, 16)) : (JSON_ESCAPES[esc!] ?? seq),
  );
}

/** HAProxy writes `"`, `#` and unsafe bytes in quoted and captured fields as `#HH`. */
export function unescapeHaproxy(text: string): string {
  if (!text.includes('#')) return text;
  return unescapeRuns(text, /(?:#[0-9A-Fa-f]{2})+/g, /#([0-9A-Fa-f]{2})/g);
}

/** `-` means absent in access logs. */
export function dash(value: string | undefined): string | undefined {
  return value === undefined || value === '-' || value === '' ? undefined : value;
}

/** A non-negative integer field, or undefined for `-`. */
export function int(value: string | undefined): number | undefined {
  if (value === undefined || value === '-' || value === '') return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * An IP literal with an optional port, as servers write addresses: `10.0.0.1`, `10.0.0.1:8080`,
 * `2001:db8::1`, `[2001:db8::1]`, `[::1]:8080`; undefined for anything else (hostnames, sockets).
 *
 * @example
 * ipAndPort('[::1]:8080') // { ip: '::1', port: 8080 }
 */
export function ipAndPort(value: string): { ip: string; port?: number } | undefined {
  if (isIP(value)) return { ip: value };
  if (value.charCodeAt(0) === 0x5b /* [ */) {
    const close = value.indexOf(']');
    const ip = value.slice(1, close);
    if (close < 0 || !isIPv6(ip)) return undefined;
    if (close === value.length - 1) return { ip };
    const port = portOf(value.slice(close + 1));
    return port === undefined ? undefined : { ip, port };
  }
  const colon = value.indexOf(':');
  if (colon < 0 || value.indexOf(':', colon + 1) >= 0) return undefined;
  const ip = value.slice(0, colon);
  const port = portOf(value.slice(colon));
  return isIPv4(ip) && port !== undefined ? { ip, port } : undefined;
}

/** `:8080` as a port number. */
function portOf(text: string): number | undefined {
  if (!/^:\d{1,5}$/.test(text)) return undefined;
  const port = Number(text.slice(1));
  return port < 65_536 ? port : undefined;
}

/**
 * `a, b, c` (X-Forwarded-For) as a list of IP addresses (ports taken off), or undefined when it
 * holds none: `-`, `unknown` and hostnames are no address.
 */
export function forwardedList(value: string | undefined): string[] | undefined {
  const v = dash(value?.trim());
  if (!v) return undefined;
  const list: string[] = [];
  for (const part of v.split(',')) {
    const entry = part.charCodeAt(0) === 0x20 || part.endsWith(' ') ? part.trim() : part;
    // Plain IPv4 is nearly every entry: checked first, without the IPv6 and port tests.
    const ip = isIPv4(entry) ? entry : ipAndPort(entry)?.ip;
    if (ip) list.push(ip);
  }
  return list.length ? list : undefined;
}
