// Application, Network and Classic Load Balancer access log lines (docs/s3-sources.md, "aws.elb"): every documented field, typed.
import type { Fields, ParsedLine } from '#shared/model.ts';
import { child } from '#shared/parse/merge.ts';
import { parseIsoTime } from '#shared/parse/time.ts';
import type { LineParser } from '#shared/parse/types.ts';
import { hostPort, int, num, present, put, splitFields, tlsVersion, urlFields } from './fields.ts';

/** Request types of an ALB line; an NLB line (TLS listeners only) starts with `tls`. */
const ALB_TYPES = new Set(['http', 'https', 'h2', 'grpcs', 'ws', 'wss']);

/** Seconds, leaving out ALB's `-1` (the load balancer could not send the request or the response). */
function seconds(value: string | undefined): number | undefined {
  const n = num(value);
  return n === undefined || n < 0 ? undefined : n;
}

function list(value: string | undefined, sep: string): string[] | undefined {
  const v = present(value);
  if (v === undefined) return undefined;
  // NLB quotes each protocol of its ALPN list (`"h2","http/1.1"`); the field scanner took the outer pair.
  return v
    .split(sep)
    .map((s) => (s.startsWith('"') || s.endsWith('"') ? s.replace(/^"|"$/g, '') : s))
    .filter((s) => s !== '' && s !== '-');
}

/** `"GET https://example.com:443/a HTTP/2.0"`: method, URL and version split at the first and last space. */
function requestFields(request: string | undefined, out: Fields): void {
  const r = present(request);
  // A Classic ELB TCP listener writes `"- - - "`: no request at all.
  if (r === undefined || /^[- ]*$/.test(r)) return;
  const first = r.indexOf(' ');
  const last = r.lastIndexOf(' ');
  if (first < 0 || last === first) {
    out.url = { original: r };
    return;
  }
  const method = present(r.slice(0, first));
  const url = present(r.slice(first + 1, last));
  const version = present(r.slice(last + 1));
  const http = child(out, 'http');
  if (method) child(http, 'request').method = method;
  if (version) http.version = version.startsWith('HTTP/') ? version.slice(5) : version;
  if (url) out.url = urlFields(url);
}

function tls(cipher: string | undefined, protocol: string | undefined, sni?: string): Fields {
  const out: Fields = { ...tlsVersion(protocol) };
  put(out, 'cipher', present(cipher));
  if (present(sni)) out.client = { server_name: sni };
  return out;
}

/** Fields past the last documented one: the load balancer may add more, kept rather than lost. */
function extra(f: string[], from: number): Record<string, unknown> | undefined {
  return f.length > from ? { unparsed_fields: f.slice(from) } : undefined;
}

function alb(line: string, f: string[]): ParsedLine | undefined {
  const time = parseIsoTime(f[1] ?? '');
  if (time === undefined || f.length < 12) return undefined;
  const out: Fields = {};
  const elb: Fields = { type: f[0], name: f[2] };
  const client = hostPort(f[3]);
  if (client) out.source = client;
  const target = hostPort(f[4]);
  if (target) elb.target = target;
  const times = [seconds(f[5]), seconds(f[6]), seconds(f[7])];
  put(elb, 'request_processing_time', times[0] === undefined ? undefined : { sec: times[0] });
  put(elb, 'target_processing_time', times[1] === undefined ? undefined : { sec: times[1] });
  put(elb, 'response_processing_time', times[2] === undefined ? undefined : { sec: times[2] });
  requestFields(f[12], out);
  const http = child(out, 'http');
  const response: Fields = {};
  put(response, 'status_code', int(f[8]));
  put(response, 'bytes', int(f[11]));
  if (Object.keys(response).length) http.response = response;
  const received = int(f[10]);
  if (received !== undefined) child(http, 'request').bytes = received;
  put(elb, 'target_status_code', int(f[9]));
  put(out, 'user_agent', present(f[13]) && { original: f[13] });
  const t = tls(f[14], f[15], f[18]);
  if (Object.keys(t).length) out.tls = t;
  put(elb, 'target_group', present(f[16]) && { arn: f[16] });
  put(elb, 'trace_id', present(f[17]));
  put(elb, 'chosen_cert', present(f[19]) && { arn: f[19] });
  put(elb, 'matched_rule_priority', int(f[20]));
  const created = parseIsoTime(f[21] ?? '');
  put(elb, 'actions_executed', list(f[22], ','));
  put(elb, 'redirect_url', present(f[23]));
  put(elb, 'error_reason', present(f[24]));
  put(elb, 'target_port_list', list(f[25], ' '));
  put(elb, 'target_status_code_list', list(f[26], ' '));
  put(elb, 'classification', present(f[27]));
  put(elb, 'classification_reason', present(f[28]));
  put(elb, 'conn_trace_id', present(f[29]));
  put(elb, 'transformed_host', present(f[30]));
  put(elb, 'transformed_uri', present(f[31]));
  put(elb, 'request_transform_status', present(f[32]));
  const event: Fields = { end: new Date(time).toISOString() };
  if (created !== undefined) event.start = new Date(created).toISOString();
  if (times.every((s) => s !== undefined))
    event.duration = Math.round((times[0]! + times[1]! + times[2]!) * 1e9);
  out.event = event;
  out.aws = { elb };
  if (Object.keys(http).length === 0) delete out.http;
  const parsed: ParsedLine = { dataset: 'aws.elb', time, message: line, fields: out };
  const rest = extra(f, 33);
  if (rest) parsed.app = rest;
  return parsed;
}

/**
 * Classic Load Balancer: `time name client:port backend:port` three timings, two statuses, two byte
 * counts, request, agent, cipher, protocol. The backend gets ALB's names (`target`,
 * `target_processing_time`, `target_status_code`) so one dashboard reads both.
 */
function classic(line: string, f: string[]): ParsedLine | undefined {
  const time = parseIsoTime(f[0] ?? '');
  if (time === undefined || f.length < 11) return undefined;
  const shifted = ['classic', ...f];
  const parsed = alb(line, shifted.slice(0, 17));
  if (!parsed) return undefined;
  const elb = (parsed.fields!.aws as Fields).elb as Fields;
  delete elb.type;
  return parsed;
}

function nlb(line: string, f: string[]): ParsedLine | undefined {
  // NLB writes its times to the second, without a zone: they are UTC.
  const time = parseIsoTime(f[2] ?? '');
  if (time === undefined || f.length < 11) return undefined;
  const out: Fields = {};
  const elb: Fields = { type: f[0], version: f[1], name: f[3], listener_id: present(f[4]) };
  const client = hostPort(f[5]);
  if (client) out.source = client;
  const destination = hostPort(f[6]);
  if (destination) out.destination = destination;
  const connection = num(f[7]);
  put(elb, 'connection_time', connection === undefined ? undefined : { ms: connection });
  const handshake = num(f[8]);
  put(elb, 'tls_handshake_time', handshake === undefined ? undefined : { ms: handshake });
  // Bytes the load balancer received from the client are the bytes the source sent, and back.
  const received = int(f[9]);
  if (received !== undefined) child(out, 'source').bytes = received;
  const sent = int(f[10]);
  if (sent !== undefined) child(out, 'destination').bytes = sent;
  put(elb, 'incoming_tls_alert', present(f[11]));
  const cert: Fields = {};
  put(cert, 'arn', present(f[12]));
  put(cert, 'serial', present(f[13]));
  if (Object.keys(cert).length) elb.chosen_cert = cert;
  const t = tls(f[14], f[15], f[17]);
  put(elb, 'tls_named_group', present(f[16]));
  put(t, 'next_protocol', present(f[18]));
  put(elb, 'alpn_be_protocol', present(f[19]));
  put(elb, 'alpn_client_preference_list', list(f[20], ','));
  if (Object.keys(t).length) out.tls = t;
  const event: Fields = { end: new Date(time).toISOString() };
  const created = parseIsoTime(f[21] ?? '');
  if (created !== undefined) event.start = new Date(created).toISOString();
  if (connection !== undefined) event.duration = Math.round(connection * 1e6);
  out.event = event;
  out.aws = { elb };
  const parsed: ParsedLine = { dataset: 'aws.elb', time, message: line, fields: out };
  const rest = extra(f, 22);
  if (rest) parsed.app = rest;
  return parsed;
}

/**
 * ALB lines (`http`, `https`, `h2`, `grpcs`, `ws`, `wss`), NLB TLS lines (`tls 2.0 …`) and Classic
 * ELB lines (led by their time). Timings go
 * to `aws.elb.*` in their own units and the whole request to `event.duration` (ns); `-` and ALB's
 * `-1` timings are left out.
 *
 * @example
 * awsElb.parse('h2 2015-11-17T07:27:17.654473Z app/my-lb/50dc … 200 200 5 257 "GET https://a:443/ HTTP/2.0" …', ctx)?.fields
 */
export const awsElb: LineParser = {
  dataset: 'aws.elb',
  parse(line) {
    const f = splitFields(line);
    const type = f[0] ?? '';
    if (type === 'tls') return nlb(line, f);
    if (ALB_TYPES.has(type)) return alb(line, f);
    return type.charCodeAt(0) <= 0x39 ? classic(line, f) : undefined;
  },
};
