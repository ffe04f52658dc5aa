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
// What nginx writes to stderr before its error log is open: `nginx: [emerg] bind() … failed`.
const STARTUP = /^nginx: \[(\w+)\] (.*)$/s;
const CONTEXT_START = /, (?:client|server|request|subrequest|upstream|host|referrer): /;
const CONTEXT =
  /, (client|server|request|subrequest|upstream|host|referrer): ("(?:[^"\\]|\\.)*"|[^,]*)/g;
// limit_req / limit_conn: `limiting requests, excess: 50.416 by zone "api"` (`delaying`, a comma since 1.17; limit_conn has no excess).
const LIMIT =
  /^((?:limiting|delaying) (?:requests|connections))(?:, excess: (\d+(?:\.\d+)?),?)? by zone "([^"]*)"$/;

/** `host: "example.com:8080"` as `url.domain` and `url.port`. */
function hostFields(value: string): Fields {
  const colon = value.lastIndexOf(':');
  const port = value.slice(colon + 1);
  if (colon > 0 && !value.endsWith(']') && /^\d{1,5}$/.test(port) && value.indexOf(':') === colon)
    return { domain: value.slice(0, colon), port: Number(port) };
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(value);
  if (bracketed)
    return bracketed[2]
      ? { domain: bracketed[1], port: Number(bracketed[2]) }
      : { domain: bracketed[1] };
  return { domain: value };
}

/** The `, client: …, server: …` context nginx appends, into ECS fields and `app`. */
function contextFields(text: string, fields: Fields, extra: Record<string, unknown>): void {
  for (const c of text.matchAll(CONTEXT)) {
    const key = c[1]!;
    const raw = c[2]!;
    const value = raw.startsWith('"') ? raw.slice(1, -1) : raw;
    // `server: ,` and `host: ""`: nginx names the field and has nothing for it.
    if (value === '') continue;
    if (key === 'client') fields.source = isIP(value) ? { ip: value } : { address: value };
    else if (key === 'request') Object.assign(fields, requestFields(value));
    else if (key === 'host') fields.url = { ...(fields.url as Fields), ...hostFields(value) };
    else if (key === 'referrer') child(child(fields, 'http'), 'request').referrer = value;
    else extra[key] = value;
  }
}

function build(
  level: string,
  message: string,
  fields: Fields,
  extra: Record<string, unknown>,
): ParsedLine {
  const limit = LIMIT.exec(message);
  const text = limit ? limit[1]! : message;
  if (limit) {
    if (limit[2] !== undefined) extra.excess = Number(limit[2]);
    extra.zone = limit[3];
  }
  fields.error = { message: text };
  const parsed: ParsedLine = {
    dataset: 'nginx.error',
    message: text,
    fields,
    level: levelFromName(level) ?? 'error',
  };
  if (Object.keys(extra).length) parsed.app = extra;
  return parsed;
}

/** nginx's own `error_log` format; the time is local to the server (UTC unless the route sets a zone). */
export const nginxError: LineParser = {
  dataset: 'nginx.error',
  parse(line, ctx): ParsedLine | undefined {
    const m = LINE.exec(line);
    if (!m) {
      const startup = STARTUP.exec(line);
      return startup && levelFromName(startup[1]!)
        ? build(startup[1]!, startup[2]!, { process: { name: 'nginx' } }, {})
        : undefined;
    }
    const [, y, mo, d, h, mi, s, lvl, pid, tid, conn, rest = ''] = m;
    const time = wallTimeToEpoch(+y!, +mo! - 1, +d!, +h!, +mi!, +s!, 0, ctx.timeZone);
    const fields: Fields = { process: { pid: Number(pid), thread: { id: Number(tid) } } };
    const ctxStart = rest.search(CONTEXT_START);
    const message = ctxStart >= 0 ? rest.slice(0, ctxStart) : rest;
    const extra: Record<string, unknown> = {};
    if (conn) extra.connection_id = Number(conn);
    if (ctxStart >= 0) contextFields(rest.slice(ctxStart), fields, extra);
    return { ...build(lvl!, message, fields, extra), time };
  },
};
