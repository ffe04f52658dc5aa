// nginx (combined, main) and Apache (common, combined) access lines: one grammar, two escaping rules.
import type { Dataset, Fields, ParsedLine } from '#shared/model.ts';
import {
  dash,
  forwardedList,
  int,
  requestFields,
  unescapeApache,
  unescapeNginx,
} from './http-request.ts';
import { child } from './merge.ts';
import { parseClfTime } from './time.ts';
import type { LineParser } from './types.ts';

// A quoted field allows backslash escapes so Apache's `\"` does not end it early (nginx never
// writes a bare backslash: it logs one as `\x5C`).
const Q = '"((?:[^"\\\\]|\\\\.)*)"';
const ACCESS = new RegExp(
  `^(\\S+) (\\S+) (\\S+) \\[([^\\]]+)\\] ${Q} (\\d{3}|-) (\\d+|-)(?: ${Q} ${Q}(?: ${Q})?)?(.*)$`,
);
const DURATION_KEYS = new Set(['rt', 'request_time', 'reqtime', 'duration']);

/** `key=value` and `key="quoted value"` pairs, scanned once left to right (no backtracking). */
export function scanPairs(text: string): [key: string, value: string][] | undefined {
  const pairs: [string, string][] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && text.charCodeAt(i) === 0x20) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && text.charCodeAt(i) !== 0x3d /* = */ && text.charCodeAt(i) !== 0x20) i++;
    if (i >= n || text.charCodeAt(i) !== 0x3d || !KEY.test(text.slice(start, i))) return undefined;
    const key = text.slice(start, i++);
    let value: string;
    if (text.charCodeAt(i) === 0x22 /* " */) {
      let j = i + 1;
      while (j < n && text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c ? 2 : 1;
      if (j >= n) return undefined;
      value = text.slice(i + 1, j);
      i = j + 1;
    } else {
      const end = text.indexOf(' ', i);
      value = text.slice(i, end < 0 ? n : end);
      i = end < 0 ? n : end;
    }
    pairs.push([key, value]);
  }
  return pairs.length ? pairs : undefined;
}

const KEY = /^[A-Za-z_][\w.-]*$/;

function trailing(text: string, fields: Fields): Record<string, unknown> | undefined {
  const rest = text.trim();
  if (!rest) return undefined;
  const pairs = rest.includes('=') ? scanPairs(rest) : undefined;
  if (!pairs) return { trailing: rest };
  const app: Record<string, unknown> = {};
  for (const [key, raw] of pairs) {
    const value = dash(raw);
    if (value === undefined) continue;
    const n = Number(value);
    if (Number.isFinite(n) && /^\d/.test(value)) {
      app[key] = n;
      // nginx `$request_time` is seconds with millisecond resolution; ECS wants nanoseconds.
      if (DURATION_KEYS.has(key)) fields.event = { duration: Math.round(n * 1e9) };
    } else app[key] = value;
  }
  return Object.keys(app).length ? app : { trailing: rest };
}

function fields(m: RegExpExecArray, unquote: (s: string) => string): Fields {
  const [, ip, , user, , request, status, bytes, referrer, agent, forwarded] = m;
  const out: Fields = requestFields(unquote(request ?? ''));
  const http = child(out, 'http');
  const response: Fields = {};
  const code = int(status);
  if (code !== undefined) response.status_code = code;
  const size = int(bytes);
  if (size !== undefined) response.body = { bytes: size };
  if (code !== undefined || size !== undefined) http.response = response;
  const ref = dash(referrer === undefined ? undefined : unquote(referrer));
  if (ref) child(http, 'request').referrer = ref;
  if (http.request === undefined && http.response === undefined) delete out.http;
  out.source = { ip };
  const name = dash(user);
  if (name) out.user = { name: unquote(name) };
  const ua = dash(agent === undefined ? undefined : unquote(agent));
  if (ua) out.user_agent = { original: ua };
  const chain = forwardedList(forwarded === undefined ? undefined : unquote(forwarded));
  if (chain) {
    out.network = { forwarded_ip: chain };
    // The first X-Forwarded-For address is the real client when a proxy sits in front.
    out.client = { ip: chain[0] };
  }
  return out;
}

function accessParser(dataset: Dataset, unquote: (s: string) => string): LineParser {
  return {
    dataset,
    parse(line): ParsedLine | undefined {
      const m = ACCESS.exec(line);
      if (!m) return undefined;
      const time = parseClfTime(m[4] ?? '');
      if (time === undefined) return undefined;
      const f = fields(m, unquote);
      const parsed: ParsedLine = { dataset, time, message: line, fields: f };
      const extra = m[11] ? trailing(m[11], f) : undefined;
      if (extra) parsed.app = extra;
      return parsed;
    },
  };
}

/** nginx `combined` and `main` (combined plus `"$http_x_forwarded_for"`), `\xHH` escaping. */
export const nginxAccess = accessParser('nginx.access', unescapeNginx);
/** Apache `common` and `combined`, `\"` escaping. */
export const apacheAccess = accessParser('apache.access', unescapeApache);
