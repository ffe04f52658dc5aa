// Apache mod_log_config directives (and mod_logio, mod_ssl's %{…}x) and their ECS fields, types and units.
import { FormatError } from '#shared/errors.ts';
import { parseClfTime } from '#shared/parse/time.ts';
import { configEscape } from './config-escape.ts';
import { int, num } from './convert.ts';
import type { Part, Variable } from './scan.ts';
import { compileStrftime } from './strftime.ts';
import {
  type Apply,
  msToNs,
  secondsToNs,
  to,
  toAddress,
  toApp,
  toForwarded,
  toHost,
  toIfAbsent,
  toRequest,
  toTime,
  toTlsVersion,
  usToNs,
} from './values.ts';

/** `X-Request-ID` → `x_request_id`: how a header or variable name becomes an `app.*` key. */
export function snake(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '_');
}

const REQUEST_HEADERS: Record<string, Apply> = {
  referer: to('http.request.referrer'),
  'user-agent': to('user_agent.original'),
  host: toHost,
  'x-forwarded-for': toForwarded,
  'content-type': to('http.request.mime_type'),
  'content-length': to('http.request.body.bytes', int),
};

const SSL_VARS: Record<string, Apply> = {
  SSL_PROTOCOL: toTlsVersion,
  SSL_CIPHER: to('tls.cipher'),
  SSL_TLS_SNI: to('tls.client.server_name'),
  SSL_CLIENT_S_DN: to('tls.client.subject'),
  SSL_CLIENT_I_DN: to('tls.client.issuer'),
  SSL_CLIENT_M_SERIAL: to('tls.client.x509.serial_number'),
  SSL_SESSION_RESUMED: to('tls.resumed', (v) => v === 'Resumed'),
};

const toVersion: Apply = (out, v) => to('http.version')(out, v.replace(/^HTTP\//, ''));
const stripQuery: Apply = (out, v) => to('url.query')(out, v.replace(/^\?/, ''));

function timeVariable(arg: string, at: number): Pick<Variable, 'shape' | 'apply'> {
  const fmt = arg.replace(/^(?:begin|end):/, '');
  const fmtAt = at + 2 + arg.length - fmt.length;
  const epoch = { sec: 1000, msec: 1, usec: 0.001 }[fmt];
  if (epoch !== undefined)
    return {
      shape: 'text',
      apply: toTime((v) => (num(v) === undefined ? undefined : Math.floor(Number(v) * epoch))),
    };
  if (fmt === 'msec_frac' || fmt === 'usec_frac') {
    const scale = fmt === 'msec_frac' ? 1 : 1000;
    return {
      shape: 'text',
      apply: (out, v) => {
        if (num(v) !== undefined) out.fraction = Math.floor(Number(v) / scale);
      },
    };
  }
  const reader = compileStrftime(fmt, fmtAt);
  return { shape: reader.scan, apply: toTime(reader.read) };
}

type Directive = Pick<Variable, 'shape' | 'apply'> & Partial<Variable>;

/** The directive `%{arg}L` (L a letter; `^ti`/`^to` for trailers), or a FormatError. */
function directive(
  letter: string,
  arg: string | undefined,
  mod: string,
  token: string,
  at: number,
): Directive {
  const a = arg ?? '';
  const text = (apply: Apply, escaped = false): Directive => ({ shape: 'text', apply, escaped });
  switch (letter) {
    case 'a':
      return a === 'c' ? text(toApp('peer_ip')) : { shape: 'address', apply: toAddress('source') };
    case 'h':
      return a === 'c'
        ? text(toApp('peer_host'))
        : { shape: 'address', apply: toAddress('source') };
    case 'A':
      return { shape: 'address', apply: toAddress('destination') };
    case 'B':
    case 'b':
      return text(to('http.response.body.bytes', int));
    case 'C':
      return text(toApp(`cookie_${snake(a)}`));
    case 'D':
      return text(to('event.duration', usToNs));
    case 'e':
      return text(toApp(`env_${snake(a)}`));
    case 'f':
      return text(to('file.path'));
    case 'H':
      return text(toVersion);
    case 'i':
      return text(REQUEST_HEADERS[a.toLowerCase()] ?? toApp(`http_${snake(a)}`), true);
    case 'o':
      return text(
        a.toLowerCase() === 'content-type'
          ? to('http.response.mime_type')
          : toApp(`sent_http_${snake(a)}`),
        true,
      );
    case 'k':
      return text(toApp('keepalive_requests', int));
    case 'l':
      return text(toApp('ident'));
    case 'L':
      return text(toApp('log_id'));
    case 'm':
      return text(to('http.request.method'));
    case 'n':
      return text(toApp(`note_${snake(a)}`));
    case 'p':
      return text(to(a === 'remote' ? 'source.port' : 'destination.port', int));
    case 'P':
      if (a === 'tid') return text(to('process.thread.id', int));
      if (a === 'hextid')
        return text(
          to('process.thread.id', (v) =>
            /^[0-9a-f]+$/i.test(v) ? Number.parseInt(v, 16) : undefined,
          ),
        );
      return text(to('process.pid', int));
    case 'q':
      return text(stripQuery);
    case 'r':
      return text(toRequest, true);
    case 'R':
      return text(toApp('handler'));
    case 's':
      return text(
        mod === '>'
          ? to('http.response.status_code', int)
          : toIfAbsent('http.response.status_code', int),
      );
    case 't':
      if (arg === undefined)
        return { shape: 'bracket', apply: toTime((v, ctx) => parseClfTime(v, ctx.timeZone)) };
      return timeVariable(arg, at);
    case 'T': {
      const conv = a === 'ms' ? msToNs : a === 'us' ? usToNs : secondsToNs;
      // %D is the finer measure of the same time: it wins when both are logged.
      return text(toIfAbsent('event.duration', conv));
    }
    case 'u':
      return text(to('user.name'), true);
    case 'U':
      return text(to('url.path'), true);
    case 'v':
      return text(to('destination.domain'));
    case 'V':
      return text(toIfAbsent('url.domain'));
    case 'X':
      return { ...text(toApp('connection_status')), dashIsValue: true };
    case 'I':
      return text(to('http.request.bytes', int));
    case 'O':
      return text(to('http.response.bytes', int));
    case 'S':
      return text(to('network.bytes', int));
    case 'x':
      return text(SSL_VARS[a.toUpperCase()] ?? toApp(`ssl_${snake(a)}`));
    case 'c':
      return text(toApp(`ssl_${snake(a)}`));
    case '^ti':
    case '^to':
      return text(toApp(`${letter === '^ti' ? 'trailer_in' : 'trailer_out'}_${snake(a)}`), true);
  }
  throw new FormatError(`unknown Apache log directive ${token}`, at, token);
}

/**
 * Splits an Apache LogFormat string into literals and directives: `%h`, `%>s`, `%{Referer}i`,
 * `%400,501{User-agent}i` (status conditions are read and ignored: the value is `-` when unmet),
 * `%{%d/%b/%Y %T}t`, `%{VAR}^ti`, `%%`; `\"` and `\t` as in httpd.conf.
 *
 * @example
 * tokenizeApache('%h %l %u %t \\"%r\\" %>s %b').filter((p) => 'v' in p).length // 7
 */
export function tokenizeApache(format: string): Part[] {
  const parts: Part[] = [];
  let lit = '';
  for (let i = 0; i < format.length; ) {
    const ch = format[i]!;
    if (ch === '\\') {
      const e = configEscape(format, i);
      lit += e.text;
      i += e.length;
      continue;
    }
    if (ch !== '%') {
      lit += ch;
      i++;
      continue;
    }
    if (format[i + 1] === '%') {
      lit += '%';
      i += 2;
      continue;
    }
    const start = i++;
    let mod = '';
    while (i < format.length && /[<>!0-9,]/.test(format[i]!)) mod += format[i++];
    let arg: string | undefined;
    if (format[i] === '{') {
      const close = format.indexOf('}', i);
      if (close < 0) throw new FormatError('unclosed {', start);
      arg = format.slice(i + 1, close);
      i = close + 1;
    }
    let letter = format[i] ?? '';
    if (letter === '^') letter = format.slice(i, i + 3);
    i += Math.max(letter.length, 1);
    const token = format.slice(start, i);
    if (!letter) throw new FormatError(`a directive is missing its letter`, start, token);
    if (lit) parts.push({ lit });
    lit = '';
    const d = directive(
      letter,
      arg,
      mod.includes('>') ? '>' : mod.includes('<') ? '<' : '',
      token,
      start,
    );
    // Requests, headers, notes, environment, SSL values, users and decoded paths may hold spaces.
    const word = !'riontCcex^uUf'.includes(letter[0]!) && typeof d.shape !== 'function';
    parts.push({ v: { token, word, ...d }, pos: start });
  }
  if (lit) parts.push({ lit });
  return parts;
}
