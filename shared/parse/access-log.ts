// nginx (combined, main, ingress upstreaminfo, extended) and Apache (common, combined, vhost_combined) access lines: one grammar, two escaping rules.
import type { Dataset, Fields, ParsedLine } from '#shared/model.ts';
import { type AccessPrefix, accessPrefix, clientFields, hostFields } from './access-prefix.ts';
import { compileFormat } from './format/compile.ts';
import { isKnownNginxVariable, nginxVariable } from './format/nginx.ts';
import { auto, type Out, usToNs } from './format/values.ts';
import {
  dash,
  forwardedList,
  int,
  requestFields,
  unescapeApache,
  unescapeNginx,
} from './http-request.ts';
import { scanPairs } from './logfmt.ts';
import { child, setOwn } from './merge.ts';
import { parseClfTime } from './time.ts';
import type { LineParser, ParseContext } from './types.ts';

// A quoted field allows backslash escapes so Apache's `\"` does not end it early (nginx never
// writes a bare backslash: it logs one as `\x5C`).
const Q = '"((?:[^"\\\\]|\\\\.)*)"';
// What follows the prefix (accessPrefix): `[time] "request" status bytes`, then the referrer and
// agent when the format has them (quoted, or a bare `-` as some Apache formats write an absent one),
// the quoted forwarded list, then anything a format appends.
const REST = new RegExp(
  `^\\[([^\\]]+)\\] ${Q} (\\d{3}|-) (\\d+|-)(?: (?:${Q}|-) (?:${Q}|-)(?: ${Q})?)?(.*)$`,
);

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

// Variables formats commonly append to combined, read with the same mapping as a declared format.
const TRAILERS = [
  // ingress-nginx's default `upstreaminfo`, after the user agent.
  '$request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id',
  // Releases before 0.23 had no alternative upstream, and before 0.13 no request id.
  '$request_length $request_time [$proxy_upstream_name] $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id',
  '$request_length $request_time [$proxy_upstream_name] $upstream_addr $upstream_response_length $upstream_response_time $upstream_status',
  '$request_time $upstream_response_time $pipe',
  '$request_time $upstream_response_time',
  '$request_time',
].map((format, i) => compileFormat({ name: `trailer-${i}`, family: 'nginx', format }));
const TIMERS_FROM = 3;
const TIMERS_ONLY = /^[\d.,: p-]+$/;

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
  for (const [i, t] of TRAILERS.entries()) {
    // The timer-only trailers end in a value that would take the rest of the line: only numbers,
    // upstream separators and `$pipe` may be there, so a format they do not describe stays whole.
    if (i >= TIMERS_FROM && !TIMERS_ONLY.test(rest)) break;
    const p = t.parse(rest, ctx);
    if (!p) continue;
    Object.assign(out.app, p.app);
    mergeInto(out.fields, p.fields ?? {});
    return undefined;
  }
  return { trailing: rest };
}

function mergeInto(dst: Fields, src: Fields): void {
  // for…in over own keys: Object.entries allocated an array of pairs per object, every line.
  for (const k in src) {
    if (!Object.hasOwn(src, k)) continue;
    const v = src[k];
    if (v && typeof v === 'object' && !Array.isArray(v)) mergeInto(child(dst, k), v as Fields);
    else dst[k] = v;
  }
}

/** The fields of the standard part: request, status, bytes, referrer, agent, forwarded list. */
function fields(m: RegExpExecArray, unquote: (s: string) => string, out: Out): void {
  const [, , request, status, bytes, referrer, agent, forwarded] = m;
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
  const ua = dash(agent === undefined ? undefined : unquote(agent));
  if (ua) f.user_agent = { original: ua };
  const fourth = dash(forwarded === undefined ? undefined : unquote(forwarded));
  if (fourth === undefined) return;
  const chain = forwardedList(fourth);
  if (chain) {
    f.network = { forwarded_ip: chain };
    // The first X-Forwarded-For address is the real client when a proxy sits in front.
    f.client = { ip: chain[0] };
  } else if (/^\d+(?:\.\d+)?$/.test(fourth)) {
    // nginx's documented `compression` format ends with `"$gzip_ratio"`.
    child(f, 'nginx').gzip_ratio = Number(fourth);
  } else setOwn(out.app, 'http_x_forwarded_for', fourth);
}

/** The client, ident and user, and what the prefix holds in front of them. */
function prefixFields(p: AccessPrefix, unquote: (s: string) => string, out: Out): void {
  const f = out.fields;
  f.source = clientFields(p.client);
  const name = dash(p.user);
  if (name) f.user = { name: unquote(name) };
  if (p.chain) {
    f.network = { forwarded_ip: p.chain };
    f.client = { ip: p.chain[0] };
  }
  if (p.host) f.destination = hostFields(p.host);
}

/**
 * Signs that Apache wrote a line nginx's defaults never write: `\\"` escapes, the common format
 * without referrer and agent, `HTTP/2` (nginx: `HTTP/2.0`), a bare integer after the agent (`%D`),
 * a `%v:%p` virtual host first.
 */
function apacheSigns(line: string, m: RegExpExecArray, p: AccessPrefix): boolean {
  if (line.includes('\\"') || m[5] === undefined) return true;
  if (p.host !== undefined && !p.chain && /:\d+$/.test(p.host)) return true;
  if (m[2]!.endsWith(' HTTP/2')) return true;
  return /^ \d+$/.test(m[8] ?? '');
}

/** True when `line` at `i` starts a CLF time, `dd/Mon/yyyy:`. */
function isClfStart(line: string, i: number): boolean {
  const d = (k: number) => {
    const c = line.charCodeAt(i + k);
    return c >= 0x30 && c <= 0x39;
  };
  return d(0) && d(1) && line.charCodeAt(i + 2) === 0x2f && line.charCodeAt(i + 6) === 0x2f;
}

/** The prefix (client, ident, user and what stands before them) and the standard fields after it. */
function split(line: string): { m: RegExpExecArray; prefix: AccessPrefix } | undefined {
  let at = line.indexOf(' [');
  while (at >= 0 && !isClfStart(line, at + 2)) at = line.indexOf(' [', at + 2);
  if (at <= 0) return undefined;
  const prefix = accessPrefix(line.slice(0, at));
  if (!prefix) return undefined;
  const m = REST.exec(line.slice(at + 1));
  return m ? { m, prefix } : undefined;
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
  const { m, prefix } = s;
  const time = parseClfTime(m[1] ?? '');
  if (time === undefined) return undefined;
  const apache = server ? server === 'apache' : apacheSigns(line, m, prefix);
  const dataset: Dataset = apache ? 'apache.access' : 'nginx.access';
  const out: Out = { fields: {}, app: {}, http: true, ctx };
  const unquote = apache ? unescapeApache : unescapeNginx;
  fields(m, unquote, out);
  prefixFields(prefix, unquote, out);
  const parsed: ParsedLine = { dataset, time, message: line, fields: out.fields };
  const extra = m[8] ? trailing(m[8], apache, out, ctx) : undefined;
  if (extra) Object.assign(out.app, extra);
  if (Object.keys(out.app).length) parsed.app = out.app;
  if (extra?.trailing !== undefined && m[8]!.length > TRAILER_BUDGET)
    parsed.tags = ['_parse_budget'];
  return parsed;
}

// mod_ssl's default `ssl_request_log` (ssl.conf): `[time] client protocol cipher "request" bytes`.
const SSL_REQUEST = compileFormat({
  name: 'ssl_request',
  family: 'apache',
  format: '%t %h %{SSL_PROTOCOL}x %{SSL_CIPHER}x \\"%r\\" %b',
});

/** An Apache `ssl_request_log` line, led by its time: the TLS protocol and cipher of each request. */
export const apacheSslRequest: LineParser = {
  dataset: 'apache.access',
  parse: (line, ctx) => SSL_REQUEST.parse(line, ctx),
};

function accessParser(dataset: Dataset, server: 'nginx' | 'apache'): LineParser {
  return { dataset, parse: (line, ctx) => parseAccessLine(line, ctx, server) };
}

/** nginx `combined`, `main` (combined plus `"$http_x_forwarded_for"`) and common extensions, `\xHH` escaping. */
export const nginxAccess = accessParser('nginx.access', 'nginx');
/** Apache `common`, `combined`, `vhost_combined` (`\"` escaping) and mod_ssl's request log. */
export const apacheAccess: LineParser = {
  dataset: 'apache.access',
  parse: (line, ctx) =>
    (line.charCodeAt(0) === 0x5b ? apacheSslRequest.parse(line, ctx) : undefined) ??
    parseAccessLine(line, ctx, 'apache'),
};
