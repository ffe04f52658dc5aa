// HAProxy `option httplog`, `option tcplog` and JSON log-format lines keyed by HAProxy's own variable names.
import type { Fields, ParsedLine } from '#shared/model.ts';
import { dash, requestFields, unescapeHaproxy } from './http-request.ts';
import { child, setOwn } from './merge.ts';
import { parseClfTime, parseTimeValue } from './time.ts';
import type { LineParser, ParseContext } from './types.ts';

const T = '\\+?-?\\d+';
// %ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq {%hr} {%hs} %{+Q}r
const HTTP = new RegExp(
  `^(\\S+):(\\d+) \\[([^\\]]+)\\] (\\S+) ([^/\\s]+)/(\\S+) (${T})/(${T})/(${T})/(${T})/(${T}) (-?\\d+) (\\+?\\d+) (\\S+) (\\S+) (\\S{4}) (\\d+)/(\\d+)/(\\d+)/(\\d+)/(\\+?\\d+) (\\d+)/(\\d+)(?: \\{([^}]*)\\})?(?: \\{([^}]*)\\})? "(.*?)"?$`,
);
// %ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq
const TCP = new RegExp(
  `^(\\S+):(\\d+) \\[([^\\]]+)\\] (\\S+) ([^/\\s]+)/(\\S+) (${T})/(${T})/(${T}) (\\+?\\d+) (\\S{2}) (\\d+)/(\\d+)/(\\d+)/(\\d+)/(\\+?\\d+) (\\d+)/(\\d+)$`,
);

/** A number as HAProxy writes it (`+` under logasap, `-1` for a timer that never ran). */
function num(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value.startsWith('+') ? value.slice(1) : value);
  return Number.isFinite(n) ? n : undefined;
}

/** Milliseconds to ECS nanoseconds; HAProxy's -1 (aborted) means there is no duration. */
function durationNs(ms: number | undefined): number | undefined {
  return ms !== undefined && ms >= 0 ? ms * 1e6 : undefined;
}

function setApp(
  app: Record<string, unknown>,
  names: readonly string[],
  values: readonly (string | undefined)[],
): void {
  names.forEach((name, i) => {
    const v = values[i];
    if (v === undefined || v === '-' || v === '') return;
    const n = num(v);
    app[name] = n === undefined || !/^[+-]?\d/.test(v) ? v : n;
  });
}

function clientFields(ip: string, port: string): Fields {
  const out: Fields = { ip };
  const p = Number(port);
  if (Number.isInteger(p)) out.port = p;
  return out;
}

function parseHttp(line: string, ctx: ParseContext): ParsedLine | undefined {
  const m = HTTP.exec(line);
  if (!m) return undefined;
  const time = parseClfTime(m[3]!, ctx.timeZone);
  if (time === undefined) return undefined;
  const fields: Fields = requestFields(unescapeHaproxy(m[26] ?? ''));
  fields.source = clientFields(m[1]!, m[2]!);
  const http = child(fields, 'http');
  const response: Fields = {};
  const status = num(m[12]);
  if (status !== undefined && status >= 0) response.status_code = status;
  const bytes = num(m[13]);
  if (bytes !== undefined) response.body = { bytes };
  http.response = response;
  const duration = durationNs(num(m[11]));
  if (duration !== undefined) fields.event = { duration };
  const app: Record<string, unknown> = {};
  setApp(
    app,
    ['ft', 'b', 's', 'TR', 'Tw', 'Tc', 'Tr', 'Ta'],
    [m[4], m[5], m[6], m[7], m[8], m[9], m[10], m[11]],
  );
  setApp(app, ['CC', 'CS', 'tsc'], [m[14], m[15], m[16]]);
  setApp(
    app,
    ['ac', 'fc', 'bc', 'sc', 'rc', 'sq', 'bq'],
    [m[17], m[18], m[19], m[20], m[21], m[22], m[23]],
  );
  // One capture block is taken for request headers, by far the more common capture.
  if (m[24]) app.hr = unescapeHaproxy(m[24]);
  if (m[25]) app.hs = unescapeHaproxy(m[25]);
  return { dataset: 'haproxy.http', time, message: line, fields, app };
}

function parseTcp(line: string, ctx: ParseContext): ParsedLine | undefined {
  const m = TCP.exec(line);
  if (!m) return undefined;
  const time = parseClfTime(m[3]!, ctx.timeZone);
  if (time === undefined) return undefined;
  const fields: Fields = { source: clientFields(m[1]!, m[2]!) };
  const bytes = num(m[10]);
  if (bytes !== undefined) fields.destination = { bytes };
  const duration = durationNs(num(m[9]));
  if (duration !== undefined) fields.event = { duration };
  const app: Record<string, unknown> = {};
  setApp(
    app,
    ['ft', 'b', 's', 'Tw', 'Tc', 'Tt', 'ts'],
    [m[4], m[5], m[6], m[7], m[8], m[9], m[11]],
  );
  setApp(
    app,
    ['ac', 'fc', 'bc', 'sc', 'rc', 'sq', 'bq'],
    [m[12], m[13], m[14], m[15], m[16], m[17], m[18]],
  );
  return { dataset: 'haproxy.tcp', time, message: line, fields, app };
}

// HAProxy variables that map onto ECS; everything else in a JSON log-format line stays in `app` by name.
const HTTP_KEYS = ['ST', 'r', 'HM', 'HU', 'HP', 'HPO', 'HQ', 'HV', 'tsc', 'CC', 'CS', 'hr', 'hs'];
const TIME_KEYS = ['t', 'tr', 'trg', 'trl', 'T', 'Tl', 'Ts', 'date'];
const MARKERS = ['ft', 'f', 'b', 's', 'Tt', 'Tw', 'Tc', 'Ta', 'ST', 'r', 'B', 'tsc', 'ts'];

/** True for a JSON object written by a HAProxy log-format keyed by variable names. */
export function isHaproxyObject(obj: Record<string, unknown>): boolean {
  if (!('ci' in obj) || !('cp' in obj)) return false;
  return MARKERS.some((k) => k in obj);
}

function numeric(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && /^[+-]?\d+(\.\d+)?$/.test(value)) return num(value);
  return undefined;
}

function str(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' ? dash(unescapeHaproxy(value)) : undefined;
}

/**
 * Maps a HAProxy JSON log-format object (`{"ci":"10.0.0.1","cp":43174,"ST":200,"Tt":12,…}`) to ECS.
 *
 * @example
 * fromHaproxyObject({ ci: '::1', cp: 5000, ft: 'fe', b: 'be', s: 'web1', Tt: 12 }, 'raw', ctx).dataset // 'haproxy.tcp'
 */
export function fromHaproxyObject(
  obj: Record<string, unknown>,
  line: string,
  ctx: ParseContext,
): ParsedLine {
  const used = new Set<string>(['ci', 'cp']);
  const source: Fields = {};
  const ci = str(obj.ci);
  if (ci) source.ip = ci;
  const cp = numeric(obj.cp);
  if (cp !== undefined) source.port = cp;
  const fields: Fields = { source };
  let time: number | undefined;
  for (const key of TIME_KEYS) {
    const v = obj[key];
    if (v === undefined) continue;
    const t =
      typeof v === 'string'
        ? parseTimeValue(v.replace(/^\[|\]$/g, ''), ctx.timeZone)
        : parseTimeValue(v);
    if (t !== undefined) {
      time = t;
      used.add(key);
      break;
    }
  }
  const isHttp = HTTP_KEYS.some((k) => k in obj);
  if (isHttp) {
    const request = str(obj.r);
    if (request !== undefined) Object.assign(fields, requestFields(request));
    const http = child(fields, 'http');
    const req = child(http, 'request');
    const url = child(fields, 'url');
    const method = str(obj.HM);
    if (method) req.method = method;
    const uri = str(obj.HU);
    if (uri) url.original = uri;
    const path = str(obj.HPO) ?? str(obj.HP);
    if (path) url.path = path;
    const query = str(obj.HQ);
    if (query) url.query = query.replace(/^\?/, '');
    const version = str(obj.HV);
    if (version) http.version = version.replace(/^HTTP\//, '');
    const response: Fields = {};
    const status = numeric(obj.ST);
    if (status !== undefined && status >= 0) response.status_code = status;
    const bytes = numeric(obj.B);
    if (bytes !== undefined) response.body = { bytes };
    if (Object.keys(response).length) http.response = response;
    const uploaded = numeric(obj.U);
    if (uploaded !== undefined) req.body = { bytes: uploaded };
    const id = str(obj.ID);
    if (id) req.id = id;
    if (Object.keys(req).length === 0) delete http.request;
    if (Object.keys(http).length === 0) delete fields.http;
    if (Object.keys(url).length === 0) delete fields.url;
    for (const k of ['r', 'HM', 'HU', 'HP', 'HPO', 'HQ', 'HV', 'ST', 'B', 'U', 'ID']) used.add(k);
  } else {
    const bytes = numeric(obj.B);
    if (bytes !== undefined) fields.destination = { bytes };
    used.add('B');
  }
  const duration = durationNs(numeric(obj.Tt) ?? numeric(obj.Ta));
  if (duration !== undefined) fields.event = { duration };
  const host = str(obj.H);
  if (host) {
    fields.host = { hostname: host };
    used.add('H');
  }
  const pid = numeric(obj.pid);
  if (pid !== undefined) {
    fields.process = { pid, name: 'haproxy' };
    used.add('pid');
  }
  const app: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    if (used.has(key) || value === null || value === '' || value === '-') continue;
    setOwn(
      app,
      key,
      typeof value === 'string' ? (numeric(value) ?? unescapeHaproxy(value)) : value,
    );
  }
  const parsed: ParsedLine = {
    dataset: isHttp ? 'haproxy.http' : 'haproxy.tcp',
    message: line,
    fields,
  };
  if (time !== undefined) parsed.time = time;
  if (Object.keys(app).length) parsed.app = app;
  return parsed;
}

/** httplog, then tcplog; JSON objects come through {@link fromHaproxyObject}. */
export const haproxyHttp: LineParser = {
  dataset: 'haproxy.http',
  parse: (line, ctx) => parseHttp(line, ctx),
};

export const haproxyTcp: LineParser = {
  dataset: 'haproxy.tcp',
  parse: (line, ctx) => parseTcp(line, ctx),
};
