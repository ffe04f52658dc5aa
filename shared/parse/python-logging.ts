// Python `logging` formats: the basicConfig default `LEVEL:name:msg` and the usual asctime layouts (`2025-01-15 10:00:00,123`).
import type { Fields, ParsedLine } from '#shared/model.ts';
import { levelFromName } from './level.ts';
import { parseIsoTime } from './time.ts';
import type { LineParser, ParseContext } from './types.ts';

const LEVEL = '(DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL)';
// asctime always has a comma before the milliseconds; that comma is what marks Python.
const ASCTIME = '(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2},\\d{3})';
const BASIC = new RegExp(`^${LEVEL}:([^:\\s]*):(.*)$`, 's');
// uvicorn's default: `INFO:     127.0.0.1:54321 - "GET / HTTP/1.1" 200 OK`.
const UVICORN = new RegExp(`^${LEVEL}: +(.*)$`, 's');
// gunicorn's default: `[2024-03-02 09:00:07 +0000] [7] [INFO] Starting gunicorn 21.2.0`.
const GUNICORN = new RegExp(
  `^\\[(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} [+-]\\d{4})\\] \\[(\\d+)\\] \\[${LEVEL}\\] (.*)$`,
  's',
);
// Celery's worker format: `[2024-03-02 09:00:08,123: INFO/MainProcess] Task … succeeded`.
const CELERY = new RegExp(`^\\[${ASCTIME}: ${LEVEL}/([\\w-]+)\\] (.*)$`, 's');
const PATTERNS: { re: RegExp; time: number; level: number; logger?: number; message: number }[] = [
  // %(asctime)s - %(name)s - %(levelname)s - %(message)s
  {
    re: new RegExp(`^${ASCTIME} - (\\S+) - ${LEVEL} - (.*)$`, 's'),
    time: 1,
    logger: 2,
    level: 3,
    message: 4,
  },
  // [%(asctime)s] %(levelname)s in %(module)s: %(message)s  (Flask)
  {
    re: new RegExp(`^\\[${ASCTIME}\\] ${LEVEL} in (\\S+?): (.*)$`, 's'),
    time: 1,
    level: 2,
    logger: 3,
    message: 4,
  },
  // %(asctime)s [%(levelname)s] %(name)s: %(message)s
  {
    re: new RegExp(`^${ASCTIME} \\[${LEVEL}\\] (\\S+?): (.*)$`, 's'),
    time: 1,
    level: 2,
    logger: 3,
    message: 4,
  },
  // %(asctime)s:%(levelname)s:%(name)s:%(message)s
  {
    re: new RegExp(`^${ASCTIME}:${LEVEL}:([^:\\s]*):(.*)$`, 's'),
    time: 1,
    level: 2,
    logger: 3,
    message: 4,
  },
  // %(asctime)s %(levelname)s [%(name)s] %(message)s   and   %(asctime)s %(levelname)s %(name)s: %(message)s
  {
    re: new RegExp(`^${ASCTIME} +${LEVEL} +\\[(\\S+?)\\] (.*)$`, 's'),
    time: 1,
    level: 2,
    logger: 3,
    message: 4,
  },
  {
    re: new RegExp(`^${ASCTIME} +${LEVEL} +([\\w.]+): (.*)$`, 's'),
    time: 1,
    level: 2,
    logger: 3,
    message: 4,
  },
  // %(asctime)s %(levelname)s %(message)s
  // One run of spaces, then an optional dash and its spaces: two quantifiers over the same spaces
  // would backtrack quadratically on a line of spaces.
  {
    re: new RegExp(`^${ASCTIME} +(?:- *)?${LEVEL} +(?:- *)?(.*)$`, 's'),
    time: 1,
    level: 2,
    message: 3,
  },
];

function build(
  level: string,
  logger: string | undefined,
  message: string,
  time?: number,
): ParsedLine {
  const fields: Fields = {};
  if (logger) fields.log = { logger };
  const parsed: ParsedLine = {
    dataset: 'app.python',
    level: levelFromName(level),
    message,
    fields,
  };
  if (time !== undefined) parsed.time = time;
  return parsed;
}

/** gunicorn's and Celery's bracketed heads: time, then the process (pid or name), then the level. */
function bracketed(line: string, ctx: ParseContext): ParsedLine | undefined {
  const g = GUNICORN.exec(line);
  if (g) {
    const time = parseIsoTime(g[1]!, ctx.timeZone);
    if (time === undefined) return undefined;
    return {
      ...build(g[3]!, undefined, g[4] ?? '', time),
      fields: { process: { pid: Number(g[2]) } },
    };
  }
  const c = CELERY.exec(line);
  if (!c) return undefined;
  const time = parseIsoTime(c[1]!, ctx.timeZone);
  if (time === undefined) return undefined;
  return { ...build(c[2]!, undefined, c[4] ?? '', time), fields: { process: { name: c[3] } } };
}

export const pythonLogging: LineParser = {
  dataset: 'app.python',
  parse(line, ctx: ParseContext): ParsedLine | undefined {
    const basic = BASIC.exec(line);
    if (basic) return build(basic[1]!, basic[2], basic[3] ?? '');
    const uvicorn = UVICORN.exec(line);
    if (uvicorn) return build(uvicorn[1]!, undefined, uvicorn[2] ?? '');
    if (line.charCodeAt(0) === 0x5b) {
      const server = bracketed(line, ctx);
      if (server) return server;
    }
    for (const p of PATTERNS) {
      const m = p.re.exec(line);
      if (!m) continue;
      const time = parseIsoTime(m[p.time]!, ctx.timeZone);
      if (time === undefined) return undefined;
      return build(m[p.level]!, p.logger ? m[p.logger] : undefined, m[p.message] ?? '', time);
    }
    return undefined;
  },
};
