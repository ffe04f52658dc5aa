// nginx log_format variables (ngx_http_log_module, core, upstream, ssl, realip, ingress-nginx) and their ECS fields, types and units.
import { FormatError } from '#shared/errors.ts';
import { parseClfTime, parseEpoch, parseIsoTime } from '#shared/parse/time.ts';
import { configEscape } from './config-escape.ts';
import { flag, int, list, num, str } from './convert.ts';
import type { Part, Shape, Variable } from './scan.ts';
import {
  type Apply,
  secondsToMs,
  secondsToNs,
  to,
  toAddress,
  toApp,
  toForwarded,
  toHost,
  toRequest,
  toTime,
  toTlsVersion,
} from './values.ts';

interface Known {
  apply: Apply;
  shape?: Shape;
}

const k = (apply: Apply, shape?: Shape): Known => ({ apply, shape });

const upstream = (name: string, conv = str) => k(to(`nginx.upstream.${name}`, list(conv)), 'list');

/** Documented variables with an ECS home or a typed `nginx.*` field; every other one goes to `app.<name>`. */
const KNOWN: Record<string, Known> = {
  remote_addr: k(toAddress('source'), 'address'),
  remote_port: k(to('source.port', int)),
  remote_user: k(to('user.name')),
  realip_remote_addr: k(to('nginx.realip.remote_addr')),
  realip_remote_port: k(to('nginx.realip.remote_port', int)),
  proxy_protocol_addr: k(toAddress('client'), 'address'),
  proxy_protocol_port: k(to('client.port', int)),
  proxy_protocol_server_addr: k(to('nginx.proxy_protocol.server_addr')),
  proxy_protocol_server_port: k(to('nginx.proxy_protocol.server_port', int)),
  server_addr: k(toAddress('destination'), 'address'),
  server_port: k(to('destination.port', int)),
  server_name: k(to('destination.domain')),
  hostname: k(to('host.hostname')),
  pid: k(to('process.pid', int)),
  time_local: k(
    toTime((v) => parseClfTime(v)),
    'clf',
  ),
  time_iso8601: k(toTime((v, ctx) => parseIsoTime(v, ctx.timeZone))),
  msec: k(toTime((v) => (num(v) === undefined ? undefined : parseEpoch(Number(v))))),
  request: k(toRequest),
  request_method: k(to('http.request.method')),
  request_uri: k(to('url.original')),
  uri: k(to('url.path')),
  document_uri: k(to('url.path')),
  args: k(to('url.query')),
  query_string: k(to('url.query')),
  scheme: k(to('url.scheme')),
  host: k(to('url.domain')),
  http_host: k(toHost),
  server_protocol: k((out, v) => to('http.version')(out, v.replace(/^HTTP\//, ''))),
  status: k(to('http.response.status_code', int)),
  body_bytes_sent: k(to('http.response.body.bytes', int)),
  bytes_sent: k(to('http.response.bytes', int)),
  request_length: k(to('http.request.bytes', int)),
  content_length: k(to('http.request.body.bytes', int)),
  content_type: k(to('http.request.mime_type')),
  sent_http_content_type: k(to('http.response.mime_type')),
  request_body: k(to('http.request.body.content')),
  request_id: k(to('http.request.id')),
  // ingress-nginx's own variables, in its default `upstreaminfo` format.
  req_id: k(to('http.request.id')),
  proxy_upstream_name: k(to('nginx.ingress.upstream_name')),
  proxy_alternative_upstream_name: k(to('nginx.ingress.alternative_upstream_name')),
  request_time: k(to('event.duration', secondsToNs)),
  http_referer: k(to('http.request.referrer')),
  http_user_agent: k(to('user_agent.original')),
  http_x_forwarded_for: k(toForwarded, 'list'),
  connection: k(to('nginx.connection.id', int)),
  connection_requests: k(to('nginx.connection.requests', int)),
  connection_time: k(to('nginx.connection.time_ms', secondsToMs)),
  pipe: k(to('nginx.pipelined', flag('p'))),
  request_completion: k(to('nginx.request_completion', flag('OK'))),
  gzip_ratio: k(to('nginx.gzip_ratio', num)),
  tcpinfo_rtt: k(to('nginx.tcpinfo.rtt_us', int)),
  tcpinfo_rttvar: k(to('nginx.tcpinfo.rttvar_us', int)),
  tcpinfo_snd_cwnd: k(to('nginx.tcpinfo.snd_cwnd', int)),
  tcpinfo_rcv_space: k(to('nginx.tcpinfo.rcv_space', int)),
  upstream_addr: upstream('address'),
  upstream_status: upstream('status', int),
  upstream_connect_time: upstream('connect_time_ms', secondsToMs),
  upstream_header_time: upstream('header_time_ms', secondsToMs),
  upstream_response_time: upstream('response_time_ms', secondsToMs),
  upstream_queue_time: upstream('queue_time_ms', secondsToMs),
  upstream_response_length: upstream('response_length', int),
  upstream_bytes_received: upstream('bytes_received', int),
  upstream_bytes_sent: upstream('bytes_sent', int),
  upstream_cache_status: k(to('nginx.upstream.cache_status')),
  upstream_last_server_name: k(to('nginx.upstream.last_server_name')),
  ssl_protocol: k(toTlsVersion),
  ssl_cipher: k(to('tls.cipher')),
  ssl_curve: k(to('tls.curve')),
  ssl_server_name: k(to('tls.client.server_name')),
  ssl_alpn_protocol: k(to('tls.next_protocol')),
  ssl_session_reused: k(to('tls.resumed', flag('r'))),
  ssl_client_s_dn: k(to('tls.client.subject')),
  ssl_client_i_dn: k(to('tls.client.issuer')),
  ssl_client_fingerprint: k(to('tls.client.hash.sha1')),
  ssl_client_serial: k(to('tls.client.x509.serial_number')),
  ssl_client_verify: k(to('nginx.ssl.client_verify')),
};

/** Variables whose values may hold spaces; every other known one is a single word. */
const SPACEY = new Set([
  'request',
  'request_body',
  'http_referer',
  'http_user_agent',
  'http_x_forwarded_for',
  'ssl_client_s_dn',
  'ssl_client_i_dn',
  'time_local',
  // Decoded paths may hold a space; the raw `$request_uri` cannot.
  'uri',
  'document_uri',
  'request_filename',
  'remote_user',
]);

/**
 * The variable `$name`: its ECS mapping, or `app.<name>` typed by value (the `$http_*`,
 * `$sent_http_*`, `$cookie_*`, `$arg_*`, `$upstream_http_*` families and any custom `map`/`set` variable).
 */
export function nginxVariable(name: string): Variable {
  return variableOf(name, Object.hasOwn(KNOWN, name) ? KNOWN[name] : undefined);
}

/** True for a variable nginx (or ingress-nginx) documents and logferry maps to a field of its own. */
export function isKnownNginxVariable(name: string): boolean {
  return Object.hasOwn(KNOWN, name);
}

function variableOf(name: string, known: Known | undefined): Variable {
  return {
    token: `$${name}`,
    shape: known?.shape ?? 'text',
    apply: known ? known.apply : toApp(name),
    escaped: true,
    word: known !== undefined && !SPACEY.has(name) && !name.startsWith('upstream_'),
  };
}

function isNameChar(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f
  );
}

/**
 * Splits an nginx format string into literals and variables (`$name`, `${name}`); `offset` is where
 * the string starts in the configured value, so errors point at the right position.
 *
 * @example
 * tokenizeNginx('$remote_addr [$time_local]').length // 4
 */
export function tokenizeNginx(format: string, offset = 0): Part[] {
  const parts: Part[] = [];
  let lit = '';
  const flush = () => {
    if (lit) parts.push({ lit });
    lit = '';
  };
  for (let i = 0; i < format.length; ) {
    const ch = format[i]!;
    if (ch === '\\') {
      const e = configEscape(format, i);
      lit += e.text;
      i += e.length;
      continue;
    }
    if (ch !== '$') {
      lit += ch;
      i++;
      continue;
    }
    const braced = format[i + 1] === '{';
    let j = braced ? i + 2 : i + 1;
    while (j < format.length && isNameChar(format.charCodeAt(j))) j++;
    const name = format.slice(braced ? i + 2 : i + 1, j);
    if (!name || (braced && format[j] !== '}')) {
      throw new FormatError(
        'invalid variable name: `$` must be followed by a name',
        i + offset,
        format.slice(i, Math.min(j + 1, format.length)),
      );
    }
    flush();
    parts.push({ v: nginxVariable(name), pos: i + offset });
    i = braced ? j + 1 : j;
  }
  flush();
  return parts;
}
