// logfmt / key=value lines (`time=… level=info msg="…" key=value`): logrus and go-kit text output, Heroku's router: level, message, time and error to ECS, the rest to `app`.
import type { Fields, ParsedLine } from '#shared/model.ts';
import { auto } from './format/values.ts';
import { normaliseLevel } from './level.ts';
import { child, setOwn } from './merge.ts';
import { parseTimeValue } from './time.ts';
import type { ParseContext } from './types.ts';

/**
 * `key=value` and `key="quoted value"` pairs, scanned once left to right (no backtracking). With
 * `standalone`, a bare key after the first pair (`… msg="x" debug`) is a flag, `true` as in Vector's
 * `parse_logfmt`.
 */
export function scanPairs(text: string): [key: string, value: string][] | undefined;
export function scanPairs(
  text: string,
  standalone: boolean,
): [key: string, value: string | true][] | undefined;
export function scanPairs(
  text: string,
  standalone = false,
): [key: string, value: string | true][] | undefined {
  const pairs: [string, string | true][] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && text.charCodeAt(i) === 0x20) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && text.charCodeAt(i) !== 0x3d /* = */ && text.charCodeAt(i) !== 0x20) i++;
    if (i >= n || text.charCodeAt(i) !== 0x3d) {
      const bare = text.slice(start, i);
      if (!standalone || pairs.length === 0 || !KEY.test(bare)) return undefined;
      pairs.push([bare, true]);
      continue;
    }
    if (!KEY.test(text.slice(start, i))) return undefined;
    const key = text.slice(start, i++);
    let value: string;
    if (text.charCodeAt(i) === 0x22 /* " */) {
      let j = i + 1;
      while (j < n && text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c ? 2 : 1;
      if (j >= n) return undefined;
      value = text.slice(i + 1, j);
      i = j + 1;
    } else {
      const end = text.indexOf(' ', i);
      value = text.slice(i, end < 0 ? n : end);
      i = end < 0 ? n : end;
    }
    pairs.push([key, value]);
  }
  return pairs.length ? pairs : undefined;
}

// Keys are what loggers write: `tag#production`, `@timestamp`, `http.status`, `x-request-id`.
const KEY = /^[A-Za-z_@][^\s="]*$/;

// Heroku's router writes its level as `at=`.
const LEVEL_KEYS = new Set(['level', 'lvl', 'severity', 'loglevel', 'at']);
const MESSAGE_KEYS = new Set(['msg', 'message']);
const TIME_KEYS = new Set(['time', 'ts', 't', 'timestamp', '@timestamp']);
const ERROR_KEYS = new Set(['err', 'error']);
const CALLER = /^(.+):(\d+)$/;

/** A quoted logfmt value as written: `\"` and `\\` undone. */
function unquote(value: string): string {
  return value.includes('\\') ? value.replace(/\\(["\\])/g, '$1') : value;
}

/**
 * A line that is nothing but `key=value` pairs and names a level or a message: its level, message,
 * time, error and caller as ECS fields, every other pair in `app` (numbers as numbers). Undefined for
 * any other line, so free text with an `a=b` in it stays text.
 *
 * @example
 * parseLogfmt('level=warn msg="disk almost full" free_mb=512', ctx)
 * // { dataset: 'text', level: 'warn', message: 'disk almost full', app: { free_mb: 512 } }
 */
export function parseLogfmt(line: string, ctx: ParseContext): ParsedLine | undefined {
  const pairs = scanPairs(line, true);
  if (!pairs?.some(([k]) => LEVEL_KEYS.has(k) || MESSAGE_KEYS.has(k))) return undefined;
  const parsed: ParsedLine = { dataset: 'text', message: line };
  const fields: Fields = {};
  const app: Record<string, unknown> = {};
  for (const [key, raw] of pairs) {
    if (raw === true) {
      setOwn(app, key, true);
      continue;
    }
    const value = unquote(raw);
    const level = LEVEL_KEYS.has(key) && !parsed.level ? normaliseLevel(value) : undefined;
    const time =
      TIME_KEYS.has(key) && parsed.time === undefined
        ? parseTimeValue(value, ctx.timeZone)
        : undefined;
    if (level) parsed.level = level;
    else if (time !== undefined) parsed.time = time;
    else if (MESSAGE_KEYS.has(key) && parsed.message === line) parsed.message = value;
    else if (ERROR_KEYS.has(key)) child(fields, 'error').message = value;
    else if (key === 'caller' && CALLER.test(value)) {
      const m = CALLER.exec(value)!;
      child(fields, 'log').origin = { file: { name: m[1], line: Number(m[2]) } };
    } else setOwn(app, key, auto(value));
  }
  if (Object.keys(fields).length) parsed.fields = fields;
  if (Object.keys(app).length) parsed.app = app;
  return parsed;
}
