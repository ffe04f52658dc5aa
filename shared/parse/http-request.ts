// Splits an access-log request line (`GET /path HTTP/1.1`) and undoes each server's quoting.
import type { Fields } from '#shared/model.ts';

// The version is optional: HTTP/0.9 requests have none, and a request cut at a length limit lost it.
const REQUEST = /^([A-Z][A-Z_-]*) (\S+)(?: HTTP\/(\d+(?:\.\d+)?))?$/;

/**
 * ECS request fields from a request line. A line that is not `METHOD URI HTTP/x` (a TLS handshake
 * on a plain port, `-`, empty) is kept whole in `url.original` rather than mis-split.
 *
 * @example
 * requestFields('GET /a?b=1 HTTP/1.1') // { http: { request: { method: 'GET' }, version: '1.1' }, url: { original: '/a?b=1' } }
 */
export function requestFields(line: string): Fields {
  const m = REQUEST.exec(line);
  if (!m) return line === '' || line === '-' ? {} : { url: { original: line } };
  const http: Fields = { request: { method: m[1] } };
  if (m[3] !== undefined) http.version = m[3];
  return { http, url: { original: m[2] } };
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

/** `a, b, c` (X-Forwarded-For) as a list of addresses, or undefined when empty or `-`. */
export function forwardedList(value: string | undefined): string[] | undefined {
  const v = dash(value?.trim());
  if (!v) return undefined;
  const list = v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s && s !== '-' && s !== 'unknown');
  return list.length ? list : undefined;
}
