// nginx (combined, main, ingress upstreaminfo, extended) and Apache (common, combined, vhost_combined) access lines: one grammar, two escaping rules.
import type { Dataset, Fields, ParsedLine } from '#shared/model.ts';
import { compileFormat } from './format/compile.ts';
import { isKnownNginxVariable, nginxVariable } from './format/nginx.ts';
import { auto, type Out, toAddress, usToNs } from './format/values.ts';
import {
  dash,
  forwardedList,
  int,
  requestFields,
  unescapeApache,
  unescapeNginx,
} from './http-request.ts';
import { child, setOwn } from './merge.ts';
import { parseClfTime } from './time.ts';
import type { LineParser, ParseContext } from './types.ts';

// A quoted field allows backslash escapes so Apache's `\"` does not end it early (nginx never
// writes a bare backslash: it logs one as `\x5C`).
const Q = '"((?:[^"\\\\]|\\\\.)*)"';
const ACCESS = new RegExp(
  `^(\\S+) (\\S+) (\\S+) \\[([^\\]]+)\\] ${Q} (\\d{3}|-) (\\d+|-)(?: ${Q} ${Q}(?: ${Q})?)?(.*)$`,
);
// A client field that is an X-Forwarded-For list (`log_format` led by `$http_x_forwarded_for`).
const LEAD_LIST = /^((?:[0-9A-Fa-f:.]+, )+[0-9A-Fa-f:.]+) /;
// Apache's vhost_combined: `%v:%p` before the client.
const VHOST = /^([\w.-]+):(\d{1,5}) (?=\S+ \S+ \S+ \[)/;

/** Free text after the standard fields is hunted for pairs only this far; the rest is kept whole. */
export const TRAILER_BUDGET = 8 * 1024;

// Short names extended formats give nginx variables (`rt=$request_time uct="$upstream_connect_time"`).
const ALIASES: Record<string, string> = {
  rt: 'request_time',
  reqtime: 'request_time',
  duration: 'request_time',
  urt: 'upstream_response_time',
  uct: 'upstream_connect_time',
  uht: 'upstream_header_time',
  ua: 'upstream_addr',
  us: 'upstream_status',
  cs: 'upstream_cache_status',
  rid: 'request_id',
};

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

// Variables formats commonly append to combined, read with the same mapping as a declared format.
const TRAILERS = [
  // ingress-nginx's default `upstreaminfo`, after the user agent.
  '$request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id',
  '$request_time $upstream_response_time $pipe',
  '$request_time $upstream_response_time',
  '$request_time',
].map((format, i) => compileFormat({ name: `trailer-${i}`, family: 'nginx', format }));

function trailing(
  text: string,
  apache: boolean,
  out: Out,
  ctx: ParseContext,
): Record<string, unknown> | undefined {
  const rest = text.trim();
  if (!rest) return undefined;
  if (rest.length > TRAILER_BUDGET) return { trailing: rest };
  // Apache's combined with `%D` appended: an integer of microseconds.
  if (apache) {
    if (/^\d+$/.test(rest)) child(out.fields, 'event').duration = usToNs(rest) as number;
    else return { trailing: rest };
    return undefined;
  }
  const pairs = rest.includes('=') ? scanPairs(rest) : undefined;
  if (pairs) {
    for (const [key, raw] of pairs) {
      const value = dash(unescapeNginx(raw));
      if (value === undefined) continue;
      const name = ALIASES[key] ?? key;
      if (isKnownNginxVariable(name)) nginxVariable(name).apply(out, value);
      else setOwn(out.app, key, auto(value));
    }
    return undefined;
  }
  for (const t of TRAILERS) {
    const p = t.parse(rest, ctx);
    if (!p) continue;
    Object.assign(out.app, p.app);
    mergeInto(out.fields, p.fields ?? {});
    return undefined;
  }
  return { trailing: rest };
}

function mergeInto(dst: Fields, src: Fields): void {
  for (const [k, v] of Object.entries(src)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) mergeInto(child(dst, k), v as Fields);
    else dst[k] = v;
  }
}

function fields(m: RegExpExecArray, unquote: (s: string) => string, out: Out): void {
  const [, client, , user, , request, status, bytes, referrer, agent, forwarded] = m;
  mergeInto(out.fields, requestFields(unquote(request ?? '')));
  const f = out.fields;
  const response: Fields = {};
  const code = int(status);
  if (code !== undefined) response.status_code = code;
  const size = int(bytes);
  if (size !== undefined) response.body = { bytes: size };
  if (code !== undefined || size !== undefined) child(f, 'http').response = response;
  const ref = dash(referrer === undefined ? undefined : unquote(referrer));
  if (ref) child(child(f, 'http'), 'request').referrer = ref;
  toAddress('source')(out, client!);
  const name = dash(user);
  if (name) f.user = { name: unquote(name) };
  const ua = dash(agent === undefined ? undefined : unquote(agent));
  if (ua) f.user_agent = { original: ua };
  const chain = forwardedList(forwarded === undefined ? undefined : unquote(forwarded));
  if (chain) {
    f.network = { forwarded_ip: chain };
    // The first X-Forwarded-For address is the real client when a proxy sits in front.
    f.client = { ip: chain[0] };
  }
}

/**
 * Signs that Apache wrote a line nginx's defaults never write: `\"` escapes, the common format
 * without referrer and agent, `HTTP/2` (nginx: `HTTP/2.0`), a bare integer after the agent (`%D`),
 * a `%v:%p` virtual host first.
 */
function apacheSigns(line: string, m: RegExpExecArray, vhost: boolean): boolean {
  if (vhost || line.includes('\\"') || m[8] === undefined) return true;
  if (m[5]!.endsWith(' HTTP/2')) return true;
  return /^ \d+$/.test(m[11] ?? '');
}

interface Split {
  m: RegExpExecArray;
  chain?: string[];
  vhost?: RegExpExecArray;
}

/** The standard fields of a line, after a leading forwarded list or virtual host is set aside. */
function split(line: string): Split | undefined {
  const m = ACCESS.exec(line);
  if (m) return { m };
  const lead = LEAD_LIST.exec(line);
  if (lead) {
    const rest = ACCESS.exec(`x${line.slice(lead[1]!.length)}`);
    return rest ? { m: rest, chain: forwardedList(lead[1]) } : undefined;
  }
  const vhost = VHOST.exec(line);
  if (!vhost) return undefined;
  const rest = ACCESS.exec(line.slice(vhost[0].length));
  return rest ? { m: rest, vhost } : undefined;
}

/**
 * An access line, by a given server or (`server` undefined) by whichever one the line's own signs
 * point to (nginx unless Apache's show).
 *
 * @example
 * parseAccessLine('127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 -', ctx)?.dataset // 'apache.access'
 */
export function parseAccessLine(
  line: string,
  ctx: ParseContext,
  server?: 'nginx' | 'apache',
): ParsedLine | undefined {
  const s = split(line);
  if (!s) return undefined;
  const { m, chain, vhost } = s;
  const time = parseClfTime(m[4] ?? '');
  if (time === undefined) return undefined;
  const apache = server ? server === 'apache' : apacheSigns(line, m, vhost !== undefined);
  const dataset: Dataset = apache ? 'apache.access' : 'nginx.access';
  const out: Out = { fields: {}, app: {}, http: true, ctx };
  fields(m, apache ? unescapeApache : unescapeNginx, out);
  if (chain) {
    out.fields.source = { ip: chain[0] };
    out.fields.network = { forwarded_ip: chain };
    out.fields.client = { ip: chain[0] };
  }
  if (vhost) out.fields.destination = { domain: vhost[1], port: Number(vhost[2]) };
  const parsed: ParsedLine = { dataset, time, message: line, fields: out.fields };
  const extra = m[11] ? trailing(m[11], apache, out, ctx) : undefined;
  if (extra) Object.assign(out.app, extra);
  if (Object.keys(out.app).length) parsed.app = out.app;
  if (extra?.trailing !== undefined && m[11]!.length > TRAILER_BUDGET)
    parsed.tags = ['_parse_budget'];
  return parsed;
}

function accessParser(dataset: Dataset, server: 'nginx' | 'apache'): LineParser {
  return { dataset, parse: (line, ctx) => parseAccessLine(line, ctx, server) };
}

/** nginx `combined`, `main` (combined plus `"$http_x_forwarded_for"`) and common extensions, `\xHH` escaping. */
export const nginxAccess = accessParser('nginx.access', 'nginx');
/** Apache `common`, `combined` and `vhost_combined`, `\"` escaping. */
export const apacheAccess = accessParser('apache.access', 'apache');
