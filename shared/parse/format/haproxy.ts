// HAProxy log-format variables (and common %[sample] fetches) and their ECS or typed haproxy.* fields.
import { FormatError } from '#shared/errors.ts';
import { parseClfTime } from '#shared/parse/time.ts';
import { snake } from './apache.ts';
import { configEscape } from './config-escape.ts';
import { flag, haproxyMs, haproxyMsToNs, int, str, withDigits } from './convert.ts';
import type { Part, Shape, Variable } from './scan.ts';
import { Field } from './setters.ts';
import {
  type Apply,
  all,
  type Out,
  to,
  toAddress,
  toApp,
  toBytes,
  toForwarded,
  toFraction,
  toHost,
  toIfAbsent,
  toRequest,
  toTime,
  toTlsVersion,
} from './values.ts';

interface Known {
  apply: Apply;
  shape?: Shape;
  /** Only in HTTP mode: a format with one is haproxy.http. */
  http?: boolean;
  escaped?: boolean;
  /** A `%[sample]` fetch: its value may be anything. */
  sample?: boolean;
}

const timer = (name: string, http = false): Known => ({
  apply: to(`haproxy.timers.${name}_ms`, haproxyMs),
  http,
});
const clfTime: Known = { apply: toTime((v, ctx) => parseClfTime(v, ctx.timeZone)), shape: 'clf' };
const stripPrefix =
  (path: string, prefix: RegExp): Apply =>
  (out, v) =>
    to(path)(out, v.replace(prefix, ''));
const captures = (path: string): Apply => {
  const field = new Field(path);
  return (out, v) => field.write(out.fields, v.split('|'));
};
const frontendName = new Field('haproxy.frontend_name');
const tlsEstablished = new Field('tls.established');
const redispatched = new Field('haproxy.redispatched');

const KNOWN: Record<string, Known> = {
  ci: { apply: toAddress('source'), shape: 'address' },
  cp: { apply: to('source.port', int) },
  fi: { apply: toAddress('destination'), shape: 'address' },
  fp: { apply: to('destination.port', int) },
  bi: { apply: toAddress('haproxy.backend_source'), shape: 'address' },
  bp: { apply: to('haproxy.backend_source.port', int) },
  si: { apply: toAddress('server'), shape: 'address' },
  sp: { apply: to('server.port', int) },
  f: { apply: to('haproxy.frontend_name') },
  // `~` after the frontend name says the connection was TLS.
  ft: {
    apply: (out, v) => {
      const tls = v.endsWith('~');
      frontendName.write(out.fields, tls ? v.slice(0, -1) : v);
      if (tls) tlsEstablished.write(out.fields, true);
    },
  },
  b: { apply: to('haproxy.backend_name') },
  s: { apply: to('haproxy.server_name') },
  H: { apply: to('host.hostname') },
  pid: { apply: to('process.pid', int) },
  ID: { apply: to('http.request.id') },
  t: clfTime,
  T: clfTime,
  Tl: clfTime,
  tr: { ...clfTime, http: true },
  trg: { ...clfTime, http: true },
  trl: { ...clfTime, http: true },
  Ts: { apply: toTime((v) => (int(v) === undefined ? undefined : Number(v) * 1000)) },
  ms: { apply: toFraction },
  TR: timer('request', true),
  Tw: timer('queue'),
  Tc: timer('connect'),
  Tr: timer('response', true),
  Ta: { apply: all(timer('active').apply, to('event.duration', haproxyMsToNs)), http: true },
  Tt: { apply: all(timer('total').apply, toIfAbsent('event.duration', haproxyMsToNs)) },
  Th: timer('handshake'),
  Ti: timer('idle', true),
  Tq: timer('client_request', true),
  Td: timer('data'),
  Tu: timer('client_total'),
  ST: { apply: to('http.response.status_code', haproxyMs), http: true },
  B: { apply: toBytes('http.response.bytes', 'destination.bytes') },
  U: { apply: toBytes('http.request.bytes', 'source.bytes') },
  ac: { apply: to('haproxy.connections.active', int) },
  fc: { apply: to('haproxy.connections.frontend', int) },
  bc: { apply: to('haproxy.connections.backend', int) },
  sc: { apply: to('haproxy.connections.server', int) },
  // A leading `+` on the retry count: the session was redispatched to another server.
  rc: {
    apply: all(
      to('haproxy.connections.retries', int),
      withDigits(
        (out: Out, v: string) => {
          if (v.startsWith('+')) redispatched.write(out.fields, true);
        },
        // Digits alone carry no `+`.
        () => {},
      ),
    ),
  },
  sq: { apply: to('haproxy.queue.server', int) },
  bq: { apply: to('haproxy.queue.backend', int) },
  lc: { apply: to('haproxy.log_counter', int) },
  rt: { apply: to('haproxy.request_counter', int) },
  ts: { apply: to('haproxy.termination_state') },
  tsc: { apply: to('haproxy.termination_state'), http: true },
  CC: { apply: to('haproxy.http.request.captured_cookie'), http: true, escaped: true },
  CS: { apply: to('haproxy.http.response.captured_cookie'), http: true, escaped: true },
  hr: {
    apply: captures('haproxy.http.request.captured_headers'),
    shape: 'braces',
    http: true,
    escaped: true,
  },
  hs: {
    apply: captures('haproxy.http.response.captured_headers'),
    shape: 'braces',
    http: true,
    escaped: true,
  },
  hrl: { apply: to('haproxy.http.request.captured_headers'), http: true, escaped: true },
  hsl: { apply: to('haproxy.http.response.captured_headers'), http: true, escaped: true },
  r: { apply: toRequest, http: true, escaped: true },
  HM: { apply: to('http.request.method'), http: true },
  HU: { apply: to('url.original'), http: true, escaped: true },
  HP: { apply: toIfAbsent('url.path'), http: true, escaped: true },
  HPO: { apply: to('url.path'), http: true, escaped: true },
  HQ: { apply: stripPrefix('url.query', /^\?/), http: true, escaped: true },
  HV: { apply: stripPrefix('http.version', /^HTTP\//), http: true },
  sslc: { apply: to('tls.cipher') },
  sslv: { apply: toTlsVersion },
};

/**
 * A HAProxy variable by name (`Tt`, `ci`), for JSON log-formats keyed by variable names; undefined
 * for names HAProxy does not define.
 *
 * @example
 * haproxyVariable('Tw')?.http // false
 */
export function haproxyVariable(name: string): Readonly<Known> | undefined {
  return Object.hasOwn(KNOWN, name) ? KNOWN[name] : undefined;
}

/** Sample fetches with an ECS home; any other `%[expr]` goes to `app` under the expression's name. */
const FETCHES: Record<string, Known> = {
  src: KNOWN.ci!,
  src_port: KNOWN.cp!,
  dst: KNOWN.fi!,
  dst_port: KNOWN.fp!,
  'req.hdr(host)': { apply: toHost, http: true },
  'req.hdr(x-forwarded-for)': { apply: toForwarded, http: true },
  'req.hdr(user-agent)': { apply: to('user_agent.original'), http: true },
  'req.fhdr(user-agent)': { apply: to('user_agent.original'), http: true },
  'req.hdr(referer)': { apply: to('http.request.referrer'), http: true },
  'unique-id': KNOWN.ID!,
  ssl_fc_sni: { apply: to('tls.client.server_name') },
  ssl_fc_protocol: { apply: toTlsVersion },
  ssl_fc_cipher: { apply: to('tls.cipher') },
  ssl_fc_is_resumed: { apply: to('tls.resumed', flag('1')) },
};

/** `+X`: numbers (and IPv4 addresses) written in hexadecimal. */
function fromHex(apply: Apply, isAddress: boolean): Apply {
  return (out, v) => {
    if (!/^[0-9A-Fa-f]+$/.test(v)) return apply(out, v);
    const n = Number.parseInt(v, 16);
    const text =
      isAddress && v.length === 8
        ? [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.')
        : String(n);
    apply(out, text);
  };
}

function variable(token: string, flags: Set<string>, known: Known): Variable {
  let apply = known.apply;
  if (flags.has('+X')) apply = fromHex(apply, known.shape === 'address');
  const shape: Shape =
    flags.has('+Q') && known.shape !== 'braces' ? 'quoted' : (known.shape ?? 'text');
  return {
    token,
    shape,
    apply,
    http: known.http,
    escaped: known.escaped,
    backslash: flags.has('+E'),
    // Requests, captures and sample fetches may hold spaces; HAProxy's own variables are one word.
    word:
      !known.escaped &&
      (known.shape === undefined || known.shape === 'address') &&
      !flags.has('+Q') &&
      !known.sample,
  };
}

function fetchName(expr: string): string {
  return expr.split(',')[0]!.trim().toLowerCase();
}

/**
 * Splits a HAProxy log-format string into literals and variables: `%ci`, `%{+Q}r`, `%{+E,+Q}HQ`,
 * `%[capture.req.hdr(0)]`, `%o` (flags for every later variable), `%%`; spaces (or `\ `) are
 * separators, merged when contiguous as HAProxy does.
 *
 * @example
 * tokenizeHaproxy('%ci:%cp [%tr] %ft').filter((p) => 'v' in p).length // 4
 */
export function tokenizeHaproxy(format: string): Part[] {
  const parts: Part[] = [];
  let lit = '';
  const global = new Set<string>();
  const addLit = (text: string) => {
    if (text === ' ' && lit.endsWith(' ')) return;
    lit += text;
  };
  for (let i = 0; i < format.length; ) {
    const ch = format[i]!;
    if (ch === '\\') {
      const e = configEscape(format, i);
      addLit(e.text);
      i += e.length;
      continue;
    }
    if (ch !== '%') {
      addLit(ch);
      i++;
      continue;
    }
    if (format[i + 1] === '%') {
      addLit('%');
      i += 2;
      continue;
    }
    const start = i++;
    const flags = new Set(global);
    if (format[i] === '{') {
      const close = format.indexOf('}', i);
      if (close < 0) throw new FormatError('unclosed {', start);
      for (const f of format.slice(i + 1, close).split(',')) {
        const flag = f.trim();
        if (flag.startsWith('-')) flags.delete(`+${flag.slice(1)}`);
        else if (flag) flags.add(flag.startsWith('+') ? flag : `+${flag}`);
      }
      i = close + 1;
    }
    let known: Known | undefined;
    let name: string;
    if (format[i] === '[') {
      let depth = 0;
      let j = i;
      for (; j < format.length; j++) {
        if (format[j] === '[') depth++;
        else if (format[j] === ']' && --depth === 0) break;
      }
      if (j >= format.length) throw new FormatError('unclosed [', start);
      const expr = format.slice(i + 1, j);
      name = fetchName(expr);
      known = FETCHES[name] ?? {
        sample: true,
        apply: toApp(snake(expr.split(',')[0]!).replace(/^_+|_+$/g, ''), str),
      };
      i = j + 1;
    } else {
      let j = i;
      while (j < format.length && /[A-Za-z0-9]/.test(format[j]!)) j++;
      name = format.slice(i, j);
      i = j;
      if (name === 'o') {
        for (const f of flags) global.add(f);
        continue;
      }
      known = Object.hasOwn(KNOWN, name) ? KNOWN[name] : undefined;
    }
    const token = format.slice(start, i);
    if (!known) throw new FormatError(`unknown HAProxy log-format variable ${token}`, start, token);
    if (lit) parts.push({ lit });
    lit = '';
    parts.push({ v: variable(token, flags, known), pos: start });
  }
  if (lit) parts.push({ lit });
  return parts;
}
