// Apache error log lines, 2.2 (`[ctime] [level] [client ip] msg`) and 2.4 (`[ctime] [module:level] [pid n:tid m] [client ip:port] AH…: msg`).
import { isIP } from 'node:net';
import type { Fields, ParsedLine } from '#shared/model.ts';
import { levelFromName } from './level.ts';
import { child } from './merge.ts';
import { parseClfTime, parseCtime, parseIsoTime } from './time.ts';
import type { LineParser } from './types.ts';

// The default `[Wed Oct 11 14:32:52.123456 2000]` (ctime), and what an ErrorLogFormat's `%{…}t` may
// write instead: `[11/Oct/2000:14:32:52 +0000]` (CLF) or `[2000-10-11 14:32:52.123456]` (`%{cu}t`).
const HEAD =
  /^\[([A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2}(?:\.\d+)? \d{4}|\d{2}\/[A-Za-z]{3}\/\d{4}:\d{2}:\d{2}:\d{2}(?:\.\d+)?(?: [+-]\d{4})?|\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?)\] \[(?:([\w-]*):)?(\w+)\] /;

function headTime(text: string, timeZone: string | undefined): number | undefined {
  const c = text.charCodeAt(0);
  if (c > 0x39) return parseCtime(text, timeZone);
  return text.charCodeAt(2) === 0x2f ? parseClfTime(text, timeZone) : parseIsoTime(text, timeZone);
}
const PID = /^\[pid (\d+)(?::tid (\d+))?\] /;
const CLIENT = /^\[(client|remote) ([^\]]+)\] /;
const CODE = /^(AH\d{5}): /;
// 2.4's `%F:` (source file, debug levels) and `%E:` (APR/OS error, `(111)Connection refused: `).
const ORIGIN = /^([\w.-]+\.c)\((\d+)\): /;
const ERRNO = /^\((-?\d+)\)([^:]*): /;
const REFERER = /, referer: (\S*)$/;

/** `ip:port` as Apache 2.4 writes it (IPv6 unbracketed: the port follows the last colon). */
function clientFields(value: string, withPort: boolean): Fields {
  const colon = withPort ? value.lastIndexOf(':') : -1;
  const port = value.slice(colon + 1);
  if (colon <= 0 || !/^\d{1,5}$/.test(port)) return address(value);
  return { ...address(value.slice(0, colon)), port: Number(port) };
}

/** Only IP literals are `source.ip`; a hostname (HostnameLookups On) is `source.address`. */
function address(value: string): Fields {
  return isIP(value) ? { ip: value } : { address: value };
}

export const apacheError: LineParser = {
  dataset: 'apache.error',
  parse(line, ctx): ParsedLine | undefined {
    const head = HEAD.exec(line);
    if (!head) return undefined;
    const time = headTime(head[1]!, ctx.timeZone);
    if (time === undefined) return undefined;
    const level = levelFromName(head[3]!);
    if (!level) return undefined;
    const fields: Fields = {};
    const app: Record<string, unknown> = {};
    // The module is the logger; Elastic's Apache integration names it apache.error.module.
    if (head[2]) {
      fields.log = { logger: head[2] };
      fields.apache = { error: { module: head[2] } };
    }
    let rest = line.slice(head[0].length);
    const pid = PID.exec(rest);
    if (pid) {
      const proc: Fields = { pid: Number(pid[1]) };
      if (pid[2]) proc.thread = { id: Number(pid[2]) };
      fields.process = proc;
      rest = rest.slice(pid[0].length);
    }
    // 2.4 lines (with a module or a pid) write the client's port; 2.2 lines do not.
    const v24 =
      head[2] !== undefined ||
      pid !== null ||
      head[1]!.includes('.') ||
      head[1]!.charCodeAt(0) <= 0x39;
    // 2.4 writes `%F: %E: [client %a] %M`, and modules put their AH code before or after the
    // client: each prefix is taken off where it stands, in any order.
    const error: Fields = {};
    for (let progress = true; progress; ) {
      progress = false;
      const c = CLIENT.exec(rest);
      if (c) {
        const addr = clientFields(c[2]!, v24);
        // ModSecurity repeats `[client ip]` after the core's `[client ip:port]`: the first wins.
        if (c[1] === 'client') fields.source ??= addr;
        else app.remote = c[2];
        rest = rest.slice(c[0].length);
        progress = true;
      }
      const code = error.code === undefined ? CODE.exec(rest) : null;
      if (code) {
        error.code = code[1];
        rest = rest.slice(code[0].length);
        progress = true;
      }
      const errno = ERRNO.exec(rest);
      if (errno) {
        Object.assign(child(child(fields, 'apache'), 'error'), {
          errno: Number(errno[1]),
          errstr: errno[2],
        });
        rest = rest.slice(errno[0].length);
        progress = true;
      }
      const origin = ORIGIN.exec(rest);
      if (origin) {
        child(fields, 'log').origin = { file: { name: origin[1], line: Number(origin[2]) } };
        rest = rest.slice(origin[0].length);
        progress = true;
      }
    }
    const referer = REFERER.exec(rest);
    if (referer) {
      fields.http = { request: { referrer: referer[1] } };
      rest = rest.slice(0, referer.index);
    }
    error.message = rest;
    fields.error = error;
    const parsed: ParsedLine = { dataset: 'apache.error', time, level, message: rest, fields };
    if (Object.keys(app).length) parsed.app = app;
    return parsed;
  },
};
