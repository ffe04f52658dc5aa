// Syslog headers, RFC 3164 (`<PRI>Mmm dd hh:mm:ss host tag[pid]: msg`, PRI optional) and RFC 5424.
import type { Fields, Level, ParsedLine } from '#shared/model.ts';
import { levelFromSyslog } from './level.ts';
import { child, setOwn } from './merge.ts';
import { parseIsoTime, parseSyslogTime } from './time.ts';
import type { LineParser, ParseContext } from './types.ts';

/** What a syslog header says; `body` is the message after it, which may be another format (HAProxy, JSON). */
export interface SyslogHeader {
  time?: number;
  level?: Level;
  fields: Fields;
  app?: Record<string, unknown>;
  body: string;
}

// A tag with a pid may go without its colon (`CRON[812] (root) CMD …`); one without a pid needs it.
// The hostname is optional (HAProxy's `format local`, `haproxy[1]: …`) and never holds a `[` or ends in `:`.
// The BSD time, with the year some senders add (`Oct 11 2003 22:14:15`), RFC 3164's examples' year
// first (`1990 Oct 22 10:52:01`) and zone and year after it (`Aug 24 05:34:00 CST 1987`).
const BSD =
  '(?:\\d{4} )?[A-Z][a-z]{2} {1,2}\\d{1,2}(?: \\d{4})? \\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?(?: [A-Z]{3,4} \\d{4})?';
const RFC3164 = new RegExp(
  `^(?:<(\\d{1,3})>)?(${BSD}) (?:([^\\s[]*[^\\s:[]) )?([^\\s:[\\]]+)(?:\\[(\\d+)\\]:? ?|: ?)(.*)$`,
  's',
);
// A tag with neither pid nor colon, known only by the bracket after it (`apache_error [Tue Jun …`).
const RFC3164_BARE_TAG = new RegExp(
  `^(?:<(\\d{1,3})>)?(${BSD}) (\\S+) ([A-Za-z][\\w.-]*) (\\[.*)$`,
  's',
);
const RFC3164_NO_TAG = new RegExp(`^(?:<(\\d{1,3})>)?(${BSD}) (\\S+) (.*)$`, 's');
// rsyslog's RSYSLOG_FileFormat and others write an ISO-8601 time where RFC 3164 has its BSD one.
const RSYSLOG_ISO =
  /^(?:<(\d{1,3})>)?(\d{4}-\d{2}-\d{2}T\S+) (\S+) ([^\s:[\]]+)(?:\[(\d+)\]:? ?|: ?)(.*)$/s;
// Without a tag only a PRI says it is syslog at all: `2025-… word rest` is as likely plain text.
const RSYSLOG_ISO_NO_TAG = /^<(\d{1,3})>(\d{4}-\d{2}-\d{2}T\S+) (\S+) (.*)$/s;
// syslogd folds repeats into one line: `last message repeated 3 times`, FreeBSD with `---` around it.
const REPEATED = /^(?:-{2,3} ?)?last message repeated (\d+) times?(?: ?-{2,3})?$/;
// HAProxy's `log … format local|timed|iso` (and `short`/`priority` below): no hostname, or nothing
// but a time, before a message that starts with the client's `addr:port [`.
const HOSTLESS = new RegExp(
  `^(?:<(\\d{1,3})>)?(${BSD}|\\d{4}-\\d{2}-\\d{2}T\\S+) (?=[^\\s[]*:\\d{1,5} \\[)`,
  's',
);
// Only a PRI (`<134>…`, HAProxy's `format priority` and `short`): the rest is the message.
const PRI_ONLY = /^<(\d{1,3})>/;
// Only a tag with its pid (`haproxy[14389]: …`, as HAProxy's manual shows its lines): no time, no host.
const TAG_ONLY = /^([A-Za-z][\w.-]{0,47})\[(\d{1,10})\]: /;
const RFC5424 = /^<(\d{1,3})>(\d{1,2}) (\S+) (\S+) (\S+) (\S+) (\S+) /;

const FACILITIES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  'ntp',
  'security',
  'console',
  'solaris-cron',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
];
const SEVERITIES = [
  'emergency',
  'alert',
  'critical',
  'error',
  'warning',
  'notice',
  'informational',
  'debug',
];

function nil(value: string | undefined): string | undefined {
  return value === undefined || value === '-' || value === '' ? undefined : value;
}

function priorityFields(pri: string | undefined, out: { fields: Fields; level?: Level }): void {
  if (pri === undefined) return;
  const p = Number(pri);
  if (p > 191) return;
  const facility = p >> 3;
  const severity = p & 7;
  out.fields.log = {
    syslog: {
      priority: p,
      facility: { code: facility, name: FACILITIES[facility] },
      severity: { code: severity, name: SEVERITIES[severity] },
    },
  };
  out.level = levelFromSyslog(severity);
}

function processFields(name: string | undefined, pid: string | undefined): Fields | undefined {
  const proc: Fields = {};
  if (name) proc.name = name;
  if (pid && /^\d+$/.test(pid)) proc.pid = Number(pid);
  return Object.keys(proc).length ? proc : undefined;
}

/** RFC 5424 STRUCTURED-DATA: `[id k="v" k2="v\"2"][id2 …]` or `-`; returns the elements and where the message starts. */
function structuredData(
  text: string,
  start: number,
): { sd?: Record<string, Record<string, string>>; end: number } | undefined {
  if (text[start] === '-') return { end: start + 1 };
  const sd: Record<string, Record<string, string>> = {};
  let i = start;
  while (text[i] === '[') {
    const idEnd = text.slice(i + 1).search(/[ \]]/);
    if (idEnd < 0) return undefined;
    const id = text.slice(i + 1, i + 1 + idEnd);
    const params: Record<string, string> = {};
    i = i + 1 + idEnd;
    while (text[i] === ' ') {
      // PARAM-NAME="value"; senders that pad `=` with spaces (`name= "v"`) are read too.
      while (text[i] === ' ') i++;
      if (text[i] === ']') break;
      const nameStart = i;
      while (i < text.length && text[i] !== '=' && text[i] !== ' ' && text[i] !== ']') i++;
      const name = text.slice(nameStart, i);
      while (text[i] === ' ') i++;
      if (text[i] !== '=' || name === '') return undefined;
      i++;
      while (text[i] === ' ') i++;
      if (text[i] !== '"') return undefined;
      let value = '';
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === '\\' && j + 1 < text.length && '"\\]'.includes(text[j + 1]!)) j++;
        value += text[j];
      }
      if (j >= text.length) return undefined;
      setOwn(params, name, value);
      i = j + 1;
    }
    if (text[i] !== ']') return undefined;
    setOwn(sd, id, params);
    i++;
  }
  return i === start ? undefined : { sd, end: i };
}

function rfc5424(line: string, ctx: ParseContext): SyslogHeader | undefined {
  const m = RFC5424.exec(line);
  if (!m) return undefined;
  const [, pri, version, ts, host, app, procid, msgid] = m;
  const sd = structuredData(line, m[0].length);
  if (!sd) return undefined;
  const out: SyslogHeader = { fields: {}, body: '' };
  priorityFields(pri, out);
  const meta = child(child(out.fields, 'log'), 'syslog');
  meta.version = Number(version);
  if (nil(msgid)) meta.msgid = msgid;
  const stamp = nil(ts);
  if (stamp) {
    const t = parseIsoTime(stamp, ctx.timeZone);
    if (t === undefined) return undefined;
    out.time = t;
  }
  if (nil(host)) out.fields.host = { hostname: host };
  const proc = processFields(nil(app), nil(procid));
  if (proc) out.fields.process = proc;
  if (nil(procid) && !/^\d+$/.test(procid!)) out.app = { procid };
  if (sd.sd && Object.keys(sd.sd).length) out.app = { ...out.app, structured_data: sd.sd };
  let body = line.slice(sd.end);
  if (body.startsWith(' ')) body = body.slice(1);
  // RFC 5424 marks a UTF-8 message with a byte-order mark.
  if (body.charCodeAt(0) === 0xfeff) body = body.slice(1);
  out.body = body;
  return out;
}

/** RFC3164_BARE_TAG's match in RFC3164's groups: pri, time, host, tag, (no pid), body. */
function bareTag(line: string): (string | undefined)[] | null {
  const m = RFC3164_BARE_TAG.exec(line);
  return m && [m[0], m[1], m[2], m[3], m[4], undefined, m[5]];
}

function hostless(line: string, ctx: ParseContext): SyslogHeader | undefined {
  const m = HOSTLESS.exec(line);
  if (!m) return undefined;
  const time = timeOf(m[2]!, ctx);
  if (time === undefined) return undefined;
  const out: SyslogHeader = { time, fields: {}, body: line.slice(m[0].length) };
  priorityFields(m[1], out);
  return out;
}

function priorityOnly(line: string): SyslogHeader | undefined {
  const m = PRI_ONLY.exec(line);
  if (!m || Number(m[1]) > 191 || line.length === m[0].length) return undefined;
  const out: SyslogHeader = { fields: {}, body: line.slice(m[0].length) };
  priorityFields(m[1], out);
  return out;
}

/** True for a line led by a bare `tag[pid]: ` (`haproxy[14389]: …`). */
export function startsWithTag(line: string): boolean {
  return TAG_ONLY.test(line);
}

function tagOnly(line: string): SyslogHeader | undefined {
  const m = TAG_ONLY.exec(line);
  if (!m) return undefined;
  return { fields: { process: processFields(m[1], m[2])! }, body: line.slice(m[0].length) };
}

function rfc3164(line: string, ctx: ParseContext): SyslogHeader | undefined {
  const h = hostless(line, ctx);
  if (h) return h;
  const m = RFC3164.exec(line) ?? bareTag(line) ?? RSYSLOG_ISO.exec(line);
  if (m && !REPEATED.test(`${m[4]} ${m[6]}`.trim())) {
    const [, pri, ts, host, tag, pid, body] = m;
    const time = timeOf(ts!, ctx);
    if (time === undefined) return undefined;
    // `sudo:   alice : TTY=…`: the spaces after the tag are padding, not message.
    const out: SyslogHeader = { time, fields: {}, body: (body ?? '').trimStart() };
    priorityFields(pri, out);
    if (host) out.fields.host = { hostname: host };
    const proc = processFields(tag, pid);
    if (proc) out.fields.process = proc;
    return out;
  }
  const n = RFC3164_NO_TAG.exec(line) ?? RSYSLOG_ISO_NO_TAG.exec(line);
  if (!n) return undefined;
  const time = timeOf(n[2]!, ctx);
  if (time === undefined) return undefined;
  const out: SyslogHeader = { time, fields: { host: { hostname: n[3] } }, body: n[4] ?? '' };
  priorityFields(n[1], out);
  const repeated = REPEATED.exec(out.body);
  if (repeated) child(child(out.fields, 'log'), 'syslog').repeated = Number(repeated[1]);
  return out;
}

function timeOf(ts: string, ctx: ParseContext): number | undefined {
  if (ts.charCodeAt(4) === 0x2d) return parseIsoTime(ts, ctx.timeZone);
  // `1990 Oct 22 10:52:01` and `Oct 22 10:52:01 CST 1990` are read as `Oct 22 1990 10:52:01`: the
  // zone abbreviation is ambiguous (CST is two zones), so the route's zone applies.
  const p = ts.split(/ +/);
  const year = ts.charCodeAt(0) <= 0x39 ? p.shift() : p.length === 5 ? p.pop() : undefined;
  const text = year === undefined ? ts : `${p[0]} ${p[1]} ${year} ${p[2]}`;
  return parseSyslogTime(text, ctx.eventTime, ctx.timeZone);
}

/**
 * The syslog header of a line, if it has one; the body is left for other parsers to recognise.
 *
 * @example
 * parseSyslogHeader('Feb 26 05:17:05 lb1 haproxy[22]: {"ci":"::1"}', ctx)?.body // '{"ci":"::1"}'
 */
export function parseSyslogHeader(line: string, ctx: ParseContext): SyslogHeader | undefined {
  const c = line.charCodeAt(0);
  if (c === 0x3c /* < */) {
    const close = line.indexOf('>');
    if (
      close > 1 &&
      close <= 4 &&
      line.charCodeAt(close + 1) >= 0x30 &&
      line.charCodeAt(close + 1) <= 0x39
    ) {
      const r = rfc5424(line, ctx);
      if (r) return r;
    }
    return rfc3164(line, ctx) ?? priorityOnly(line);
  }
  return rfc3164(line, ctx) ?? tagOnly(line);
}

/** A syslog line whose body is plain text. */
export const syslog: LineParser = {
  dataset: 'syslog',
  parse(line, ctx): ParsedLine | undefined {
    const h = parseSyslogHeader(line, ctx);
    if (!h) return undefined;
    // An RFC 5424 line may have no MSG at all (`<165>1 - - - - - -`): the line is the message then.
    const parsed: ParsedLine = { dataset: 'syslog', message: h.body || line, fields: h.fields };
    if (h.time !== undefined) parsed.time = h.time;
    if (h.level) parsed.level = h.level;
    if (h.app) parsed.app = h.app;
    return parsed;
  },
};
