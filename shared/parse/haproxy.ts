// HAProxy `option httplog` (and `clf`), `option tcplog`, connection errors, the default `Connect from` format and JSON log-format lines keyed by HAProxy's own variable names.
import type { Fields, ParsedLine } from '#shared/model.ts';
import { compileFormat } from './format/compile.ts';
import { haproxyVariable } from './format/haproxy.ts';
import type { Out } from './format/values.ts';
import { unescapeHaproxy } from './http-request.ts';
import { setOwn } from './merge.ts';
import { parseTimeValue } from './time.ts';
import type { LineParser, ParseContext } from './types.ts';

// The formats `option httplog` and `option tcplog` stand for, compiled like a declared one.
const HTTPLOG = compileFormat({
  name: 'httplog',
  family: 'haproxy',
  format:
    '%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r',
});
// httplog with the Host header logged after the server (`… be/srv1 www.example.org 0/0/1/17/18 …`),
// as many setups add it with `%[req.hdr(host)]`.
const HTTPLOG_HOST = compileFormat({
  name: 'httplog-host',
  family: 'haproxy',
  format:
    '%ci:%cp [%tr] %ft %b/%s %[req.hdr(host)] %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r',
});
// `option httpslog` (HAProxy 2.5+): httplog followed by the connection and TLS errors, SNI, version, cipher.
const HTTPSLOG = compileFormat({
  name: 'httpslog',
  family: 'haproxy',
  format:
    '%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r %[fc_err]/%[ssl_fc_err,hex]/%[ssl_c_err]/%[ssl_c_ca_err]/%[ssl_fc_is_resumed] %[ssl_fc_sni]/%sslv/%sslc',
});
const CLIENT_ONLY = compileFormat({ name: 'client', family: 'haproxy', format: '%ci:%cp [%tr]' });
const TCPLOG = compileFormat({
  name: 'tcplog',
  family: 'haproxy',
  format: '%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq',
});
// `option httplog clf`: CLF with the port, accept milliseconds, names (quoted), timers, state and
// counters appended; HAProxy 1.x ended at the captured cookies.
const HTTPLOG_CLF = [
  '%ci - - [%trg] %{+Q}r %ST %B "" "" %cp %ms %{+Q}ft %{+Q}b %{+Q}s %TR %Tw %Tc %Tr %Ta %tsc %ac %fc %bc %sc %rc %sq %bq %{+Q}CC %{+Q}CS %{+Q}hrl %{+Q}hsl',
  '%ci - - [%trg] %{+Q}r %ST %B "" "" %cp %ms %{+Q}ft %{+Q}b %{+Q}s %TR %Tw %Tc %Tr %Ta %tsc %ac %fc %bc %sc %rc %sq %bq %{+Q}CC %{+Q}CS',
].map((format, i) => compileFormat({ name: `httplog-clf-${i}`, family: 'haproxy', format }));

/** `option httplog clf` lines; they look like CLF, so access-line detection asks here first. */
export function haproxyClf(line: string, ctx: ParseContext): ParsedLine | undefined {
  return HTTPLOG_CLF[0]!.parse(line, ctx) ?? HTTPLOG_CLF[1]!.parse(line, ctx);
}

// A connection that failed before any log format applied (TLS handshake, PROXY protocol):
// `10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in/1: SSL handshake failure`.
const CONN_ERROR =
  /^(\S+?):(\d{1,5}) \[(\d{2}\/\w{3}\/\d{4}:[\d:.]+)\] ([^\s/]+)\/([^\s:]+): (.+)$/;

function parseConnectionError(line: string, ctx: ParseContext): ParsedLine | undefined {
  const m = CONN_ERROR.exec(line);
  if (!m) return undefined;
  const client = CLIENT_ONLY.parse(`${m[1]}:${m[2]} [${m[3]}]`, ctx);
  if (!client) return undefined;
  const fields: Fields = {
    ...client.fields,
    haproxy: { frontend_name: m[4], bind_name: m[5] },
    error: { message: m[6] },
  };
  return { dataset: 'haproxy.tcp', time: client.time, level: 'error', message: m[6], fields };
}

// HAProxy's default format, when no log option is set: `Connect from 10.0.1.2:33312 to 10.0.3.31:8012 (www/HTTP)`.
const CONNECT = compileFormat({
  name: 'connect',
  family: 'haproxy',
  format: 'Connect from %ci:%cp to %fi:%fp (%f/%[mode])',
});

function parseConnect(line: string, ctx: ParseContext): ParsedLine | undefined {
  const parsed = CONNECT.parse(line, ctx);
  if (!parsed) return undefined;
  const mode = String(parsed.app?.mode ?? '');
  const fields = { ...parsed.fields, event: { action: 'connect' } } as Fields;
  (fields.haproxy as Fields).mode = mode.toLowerCase();
  return {
    dataset: mode === 'HTTP' ? 'haproxy.http' : 'haproxy.tcp',
    message: line,
    fields,
  };
}

const TIME_KEYS = ['t', 'tr', 'trg', 'trl', 'T', 'Tl', 'Ts', 'date'];
const MARKERS = ['ft', 'f', 'b', 's', 'Tt', 'Tw', 'Tc', 'Ta', 'ST', 'r', 'B', 'tsc', 'ts'];

/** True for a JSON object written by a HAProxy log-format keyed by variable names. */
export function isHaproxyObject(obj: Record<string, unknown>): boolean {
  if (!('ci' in obj) || !('cp' in obj)) return false;
  return MARKERS.some((k) => k in obj);
}

function timeOf(obj: Record<string, unknown>, ctx: ParseContext): number | undefined {
  for (const key of TIME_KEYS) {
    const v = obj[key];
    if (v === undefined) continue;
    const t =
      typeof v === 'string'
        ? parseTimeValue(v.replace(/^\[|\]$/g, ''), ctx.timeZone)
        : parseTimeValue(v);
    if (t !== undefined) return t;
  }
  return undefined;
}

/**
 * Maps a HAProxy JSON log-format object (`{"ci":"10.0.0.1","cp":43174,"ST":200,"Tt":12,…}`) to the
 * same typed fields as the text formats; keys HAProxy does not define stay in `app`.
 *
 * @example
 * fromHaproxyObject({ ci: '::1', cp: 5000, ft: 'fe', b: 'be', s: 'web1', Tt: 12 }, 'raw', ctx).dataset // 'haproxy.tcp'
 */
export function fromHaproxyObject(
  obj: Record<string, unknown>,
  line: string,
  ctx: ParseContext,
): ParsedLine {
  const keys = Object.keys(obj);
  const http = keys.some((k) => haproxyVariable(k)?.http);
  const out: Out = { fields: {}, app: {}, http, ctx };
  for (const key of keys) {
    const value = obj[key];
    if (value === null || value === '' || value === '-' || TIME_KEYS.includes(key)) continue;
    const known = haproxyVariable(key);
    if (known && (typeof value === 'string' || typeof value === 'number')) {
      const text = String(value);
      known.apply(out, known.escaped ? unescapeHaproxy(text) : text);
    } else setOwn(out.app, key, typeof value === 'string' ? unescapeHaproxy(value) : value);
  }
  if (typeof (out.fields.process as Fields | undefined)?.pid === 'number')
    (out.fields.process as Fields).name = 'haproxy';
  const parsed: ParsedLine = {
    dataset: http ? 'haproxy.http' : 'haproxy.tcp',
    message: line,
    fields: out.fields,
  };
  const time = timeOf(obj, ctx);
  if (time !== undefined) parsed.time = time;
  if (Object.keys(out.app).length) parsed.app = out.app;
  return parsed;
}

/**
 * Lines padded with runs of spaces before the request (`0/0/0/-1/63387    504 …`, seen from relays
 * and older configurations) are read with each run as one space; the message keeps the line as it was.
 */
function padded(
  parse: (line: string, ctx: ParseContext) => ParsedLine | undefined,
): LineParser['parse'] {
  return (line, ctx) => {
    const parsed = parse(line, ctx);
    if (parsed || !line.includes('  ')) return parsed;
    const quote = line.indexOf('"');
    const head = quote < 0 ? line : line.slice(0, quote);
    if (!head.includes('  ')) return undefined;
    const retry = parse(head.replace(/ {2,}/g, ' ') + (quote < 0 ? '' : line.slice(quote)), ctx);
    return retry && { ...retry, message: line };
  };
}

/** httplog, then tcplog; JSON objects come through {@link fromHaproxyObject}. */
export const haproxyHttp: LineParser = {
  dataset: 'haproxy.http',
  parse: padded(
    (line, ctx) =>
      HTTPLOG.parse(line, ctx) ??
      HTTPSLOG.parse(line, ctx) ??
      HTTPLOG_HOST.parse(line, ctx) ??
      haproxyClf(line, ctx),
  ),
};

export const haproxyTcp: LineParser = {
  dataset: 'haproxy.tcp',
  parse: padded(
    (line, ctx) =>
      TCPLOG.parse(line, ctx) ?? parseConnect(line, ctx) ?? parseConnectionError(line, ctx),
  ),
};
