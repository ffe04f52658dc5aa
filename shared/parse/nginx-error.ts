// nginx error log lines: `2024/01/15 10:00:00 [error] 12#34: *5 message, client: …, server: …, request: "…"`.
import { isIP } from 'node:net';
import type { Fields, ParsedLine } from '#shared/model.ts';
import { requestFields } from './http-request.ts';
import { levelFromName } from './level.ts';
import { child } from './merge.ts';
import type { LineParser } from './types.ts';
import { wallTimeToEpoch } from './wall-time.ts';

const LINE =
  /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2}) \[(\w+)\] (\d+)#(\d+): (?:\*(\d+) )?(.*)$/s;
const CONTEXT_START = /, (?:client|server|request|subrequest|upstream|host|referrer): /;
const CONTEXT =
  /, (client|server|request|subrequest|upstream|host|referrer): ("(?:[^"\\]|\\.)*"|[^,]*)/g;

/** nginx's own `error_log` format; the time is local to the server (UTC unless the route sets a zone). */
export const nginxError: LineParser = {
  dataset: 'nginx.error',
  parse(line, ctx): ParsedLine | undefined {
    const m = LINE.exec(line);
    if (!m) return undefined;
    const [, y, mo, d, h, mi, s, lvl, pid, tid, conn, rest = ''] = m;
    const time = wallTimeToEpoch(+y!, +mo! - 1, +d!, +h!, +mi!, +s!, 0, ctx.timeZone);
    const fields: Fields = { process: { pid: Number(pid), thread: { id: Number(tid) } } };
    const ctxStart = rest.search(CONTEXT_START);
    const message = ctxStart >= 0 ? rest.slice(0, ctxStart) : rest;
    const extra: Record<string, unknown> = {};
    if (conn) extra.connection_id = Number(conn);
    if (ctxStart >= 0) {
      for (const c of rest.slice(ctxStart).matchAll(CONTEXT)) {
        const key = c[1]!;
        const raw = c[2]!;
        const value = raw.startsWith('"') ? raw.slice(1, -1) : raw;
        if (key === 'client') fields.source = isIP(value) ? { ip: value } : { address: value };
        else if (key === 'request') Object.assign(fields, requestFields(value));
        else if (key === 'host') fields.url = { ...(fields.url as Fields), domain: value };
        else if (key === 'referrer') extra.referrer = value;
        else extra[key] = value;
      }
    }
    if (typeof extra.referrer === 'string') {
      child(child(fields, 'http'), 'request').referrer = extra.referrer;
      delete extra.referrer;
    }
    fields.error = { message };
    const parsed: ParsedLine = {
      dataset: 'nginx.error',
      time,
      message,
      fields,
      level: levelFromName(lvl!) ?? 'error',
    };
    if (Object.keys(extra).length) parsed.app = extra;
    return parsed;
  },
};
