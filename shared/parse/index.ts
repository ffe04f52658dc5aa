// Picks a parser per line (pinned by a route, or auto-detected from its first characters) and never lets a line fail: text is the floor.
import { isIPv6 } from 'node:net';
import { DATASETS, type Dataset, type EventSource, type ParsedLine } from '#shared/model.ts';
import { apacheAccess, apacheSslRequest, parseAccessLine } from './access-log.ts';
import { stripAnsi } from './ansi.ts';
import { apacheError } from './apache-error.ts';
import { appJson, fromObject, parseJsonObject } from './app-json.ts';
import { awsCloudfront } from './aws/cloudfront.ts';
import { awsCloudtrail } from './aws/cloudtrail.ts';
import { awsElb } from './aws/elb.ts';
import { awsS3access } from './aws/s3-access.ts';
import { awsVpcflow } from './aws/vpc-flow.ts';
import { awsWaf } from './aws/waf.ts';
import {
  awsLambda,
  awsLambdaAny,
  fromLambdaPlatformObject,
  isLambdaPlatformObject,
  lambdaJson,
} from './aws-lambda.ts';
import {
  fromHaproxyObject,
  haproxyClf,
  haproxyHttp,
  haproxyTcp,
  isHaproxyObject,
} from './haproxy.ts';
import { logback } from './logback.ts';
import { mergeFields } from './merge.ts';
import { nginxError } from './nginx-error.ts';
import { fromNginxObject, isNginxObject, nginxAccessOrJson } from './nginx-json.ts';
import { pythonLogging } from './python-logging.ts';
import { springBoot } from './spring-boot.ts';
import { parseSyslogHeader, type SyslogHeader, startsWithTag, syslog } from './syslog.ts';
import { text } from './text.ts';
import type { LineParser, ParseContext } from './types.ts';

export type { LineParser, ParseContext } from './types.ts';

/** A JSON line: HAProxy's log-format, a Lambda platform record, or an application's JSON. */
function parseJsonLine(line: string, ctx: ParseContext): ParsedLine | undefined {
  const obj = parseJsonObject(line);
  if (!obj) return undefined;
  if (isHaproxyObject(obj)) return fromHaproxyObject(obj, line, ctx);
  if (isLambdaPlatformObject(obj)) return fromLambdaPlatformObject(obj, line, ctx);
  if (isNginxObject(obj)) return fromNginxObject(obj, line, ctx);
  // Lambda's JSON log format: a request id, in a function's own log group.
  if (typeof obj.requestId === 'string' && ctx.source.logGroup?.startsWith('/aws/lambda/'))
    return lambdaJson(obj, ctx);
  return fromObject(obj, ctx);
}

function haproxyLine(line: string, ctx: ParseContext): ParsedLine | undefined {
  if (line.charCodeAt(0) === 0x7b) {
    const obj = parseJsonObject(line);
    return obj && isHaproxyObject(obj) ? fromHaproxyObject(obj, line, ctx) : undefined;
  }
  return haproxyHttp.parse(line, ctx) ?? haproxyTcp.parse(line, ctx);
}

const haproxy: LineParser = { dataset: 'haproxy.http', parse: haproxyLine };

const PARSERS: Record<Dataset, LineParser> = {
  'nginx.access': nginxAccessOrJson,
  'nginx.error': nginxError,
  'apache.access': apacheAccess,
  'apache.error': apacheError,
  'haproxy.http': haproxy,
  'haproxy.tcp': haproxy,
  'aws.lambda': awsLambdaAny,
  // AWS service logs read from S3 objects: pinned by the object's key layout or a route, never guessed per line.
  'aws.elb': awsElb,
  'aws.cloudfront': awsCloudfront,
  'aws.s3access': awsS3access,
  'aws.vpcflow': awsVpcflow,
  'aws.cloudtrail': awsCloudtrail,
  'aws.waf': awsWaf,
  'app.json': appJson,
  'app.spring': springBoot,
  'app.logback': logback,
  'app.python': pythonLogging,
  syslog: { dataset: 'syslog', parse: (line, ctx) => syslogLine(line, ctx) },
  text,
};

/** Datasets that have a parser in this build; routes may only pin these. */
export function availableParsers(): Dataset[] {
  return DATASETS.filter((d) => PARSERS[d] !== undefined);
}

const serverHints = new WeakMap<EventSource, 'apache' | 'nginx' | undefined>();

/**
 * Apache and nginx write the same access format; the log group, stream or container name may tell
 * them apart. When it says neither, the line's own signs do (see parseAccessLine).
 */
function serverHint(source: EventSource): 'apache' | 'nginx' | undefined {
  if (serverHints.has(source)) return serverHints.get(source);
  const container = (source.wrapper?.container as { name?: unknown } | undefined)?.name;
  const names =
    `${source.logGroup ?? ''} ${source.logStream ?? ''} ${typeof container === 'string' ? container : ''}`.toLowerCase();
  const hint =
    names.includes('apache') || names.includes('httpd')
      ? 'apache'
      : names.includes('nginx')
        ? 'nginx'
        : undefined;
  serverHints.set(source, hint);
  return hint;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** An access line, or HAProxy's `ip:port [date] …` when the first token is followed by a bracket. */
function addressLed(line: string, ctx: ParseContext): ParsedLine | undefined {
  const space = line.indexOf(' ');
  if (space > 0 && line.charCodeAt(space + 1) === 0x5b /* [ */) return haproxyLine(line, ctx);
  // `option httplog clf` writes CLF with empty referrer and agent, then HAProxy's own fields.
  if (line.includes(' "" "" ')) {
    const clf = haproxyClf(line, ctx);
    if (clf) return clf;
  }
  return parseAccessLine(line, ctx, serverHint(ctx.source));
}

/** `[2001:db8::1]:443 - - […]`: a bracketed IPv6 client, not an Apache or Python bracket. */
function bracketedIp(line: string): boolean {
  const close = line.indexOf(']');
  return close > 2 && close < 48 && isIPv6(line.slice(1, close));
}

/** Lines led by an ISO date: Lambda runtime, Spring Boot, logback, Python, rsyslog. */
function dateLed(line: string, ctx: ParseContext): ParsedLine | undefined {
  const tab = line.indexOf('\t');
  if ((tab > 0 && tab < 40) || line.endsWith(' seconds')) {
    const lambda = awsLambda.parse(line, ctx);
    if (lambda) return lambda;
  }
  if (line.includes(' --- ')) {
    const spring = springBoot.parse(line, ctx);
    if (spring) return spring;
  }
  return logback.parse(line, ctx) ?? pythonLogging.parse(line, ctx) ?? syslogLine(line, ctx);
}

const LAMBDA_WORDS =
  /^(?:START|END|REPORT|INIT_START|INIT_REPORT|RESTORE_START|RESTORE_REPORT|XRAY|EXTENSION|TELEMETRY|LOGS)[ \t]/;
const PYTHON_BASIC = /^(?:DEBUG|INFO|WARNING|ERROR|CRITICAL):/;

/** Auto-detection: the first characters pick the one or two parsers worth trying. */
function detect(line: string, ctx: ParseContext): ParsedLine | undefined {
  const c = line.charCodeAt(0);
  if (c === 0x7b /* { */) return parseJsonLine(line, ctx);
  if (isDigit(c)) {
    const c4 = line.charCodeAt(4);
    if (c4 === 0x2f /* / */) return nginxError.parse(line, ctx) ?? addressLed(line, ctx);
    if (c4 === 0x2d /* - */ && line.charCodeAt(7) === 0x2d) return dateLed(line, ctx);
    if (line.charCodeAt(2) === 0x3a && line.charCodeAt(5) === 0x3a)
      return logback.parse(line, ctx) ?? addressLed(line, ctx);
    return addressLed(line, ctx);
  }
  if (c === 0x3c /* < */) return syslogLine(line, ctx);
  // A quoted X-Forwarded-For list in front of the client (`"10.5.1.2, 10.0.0.1" 10.2.1.185 - - […]`).
  if (c === 0x22 /* " */) return parseAccessLine(line, ctx, serverHint(ctx.source));
  if (c === 0x5b /* [ */) {
    if (bracketedIp(line)) return addressLed(line, ctx);
    // `[10/Aug/2018:09:45:56 +0200] …`: a CLF time first is mod_ssl's request log.
    if (line.charCodeAt(3) === 0x2f && isDigit(line.charCodeAt(1))) {
      const ssl = apacheSslRequest.parse(line, ctx);
      if (ssl) return ssl;
    }
    return (
      awsLambda.parse(line, ctx) ?? apacheError.parse(line, ctx) ?? pythonLogging.parse(line, ctx)
    );
  }
  if (c >= 0x41 && c <= 0x5a /* A-Z */) {
    if (LAMBDA_WORDS.test(line)) return awsLambda.parse(line, ctx);
    if (PYTHON_BASIC.test(line)) return pythonLogging.parse(line, ctx);
    if (line.charCodeAt(3) === 0x20) return syslogLine(line, ctx);
    return startsWithTag(line) ? syslogLine(line, ctx) : undefined;
  }
  if (c === 0x6e /* n */ && line.startsWith('nginx: [')) return nginxError.parse(line, ctx);
  if (startsWithTag(line)) return syslogLine(line, ctx);
  // IPv6 clients start with a hex letter or a colon; hostname clients (HostnameLookups) with anything.
  if (line.includes(' [')) return addressLed(line, ctx);
  return undefined;
}

/** The body of a syslog line may be a format of its own: HAProxy, an access line, JSON. */
function detectBody(body: string, ctx: ParseContext): ParsedLine | undefined {
  const c = body.charCodeAt(0);
  if (c === 0x7b) return parseJsonLine(body, ctx);
  if (isDigit(c) || (c >= 0x61 && c <= 0x66) || c === 0x3a) return addressLed(body, ctx);
  // HAProxy writes `-:port` for a client it has no address of (a unix socket, PROXY protocol LOCAL).
  if (c === 0x2d && body.charCodeAt(1) === 0x3a) return addressLed(body, ctx);
  if (c === 0x22 || (c === 0x5b && bracketedIp(body)))
    return parseAccessLine(body, ctx, serverHint(ctx.source));
  // An Apache error line relayed by syslog (`apache_error [Tue Jun 08 …] [php7:emerg] …`).
  if (c === 0x5b) return apacheError.parse(body, ctx);
  if (c === 0x43 /* C */ && body.startsWith('Connect from ')) return haproxyTcp.parse(body, ctx);
  return undefined;
}

function withSyslog(header: SyslogHeader, body: ParsedLine): ParsedLine {
  const out: ParsedLine = {
    ...body,
    message: body.message ?? header.body,
    fields: mergeFields(mergeFields({}, header.fields), body.fields ?? {}),
  };
  if (out.time === undefined && header.time !== undefined) out.time = header.time;
  if (!out.level && header.level) out.level = header.level;
  if (header.app) out.app = { ...header.app, ...body.app };
  return out;
}

function syslogLine(line: string, ctx: ParseContext): ParsedLine | undefined {
  const header = parseSyslogHeader(line, ctx);
  if (!header) return undefined;
  const body = detectBody(header.body, ctx);
  if (body) return withSyslog(header, body);
  const parsed = syslog.parse(line, ctx);
  if (parsed && (!parsed.level || parsed.time === undefined)) {
    // A header without a time (`<13>` alone) leaves the body's own leading time, if any.
    const plain = text.parse(header.body, ctx);
    if (!parsed.level && plain?.level) parsed.level = plain.level;
    if (parsed.time === undefined && plain?.time !== undefined) parsed.time = plain.time;
  }
  return parsed;
}

function failure(line: string, reason: string): ParsedLine {
  return {
    dataset: 'text',
    message: line,
    tags: ['_parse_failure'],
    fields: { event: { reason } },
  };
}

/**
 * A line of a route that pins a declared format. One that does not fit (an error line in the same
 * log group, a format that changed) is auto-detected and tagged `_format_mismatch`, then text.
 */
function parseDeclared(
  line: string,
  ctx: ParseContext,
  format: LineParser & { name?: string },
): ParsedLine {
  const parsed = format.parse(line, ctx);
  if (parsed) return parsed;
  const header = parseSyslogHeader(line, ctx);
  const body = header ? format.parse(header.body, ctx) : undefined;
  if (header && body) return withSyslog(header, body);
  const detected = detect(line, ctx);
  if (detected) return { ...detected, tags: [...(detected.tags ?? []), '_format_mismatch'] };
  return failure(line, `line does not match format ${format.name ?? format.dataset}`);
}

/**
 * Parses one line. A pinned parser that does not match, or a parser that throws, yields a text
 * document tagged `_parse_failure` with the reason: a line is never dropped. A pinned parser also
 * reads the body of a syslog-prefixed line (`Feb 26 05:17:05 lb haproxy[22]: …`).
 *
 * @example
 * parseLine('127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326', ctx).dataset // 'nginx.access'
 * parseLine(line, ctx, compileFormat({ name: 'edge', family: 'nginx', format })) // a declared format
 */
export function parseLine(
  line: string,
  ctx: ParseContext,
  pinned?: Dataset | LineParser,
): ParsedLine {
  try {
    // Colour codes (Spring Boot's console, anything run with a TTY) are no part of any format.
    if (line.includes('\u001b[')) line = stripAnsi(line);
    if (typeof pinned === 'object') return parseDeclared(line, ctx, pinned);
    if (pinned) {
      const parser = PARSERS[pinned];
      if (!parser) return failure(line, `no parser for ${pinned} in this build`);
      const parsed = parser.parse(line, ctx);
      if (parsed) return parsed;
      if (pinned !== 'syslog' && pinned !== 'text') {
        const header = parseSyslogHeader(line, ctx);
        const body = header ? parser.parse(header.body, ctx) : undefined;
        if (header && body) return withSyslog(header, body);
      }
      return failure(line, `line does not match ${pinned}`);
    }
    const parsed = detect(line, ctx);
    if (parsed) return parsed;
    if (line.charCodeAt(0) === 0x7b)
      return failure(line, 'line starts like JSON but is not a JSON object');
    return text.parse(line, ctx) as ParsedLine;
  } catch (err) {
    return failure(line, `parser error: ${(err as Error).message}`);
  }
}
