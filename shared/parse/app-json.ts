// JSON application logs (pino, winston, bunyan, Powertools, logrus, zap, structlog…): usual keys to ECS, the rest to `app`.
import type { Fields, Level, ParsedLine } from '#shared/model.ts';
import { normaliseLevel } from './level.ts';
import { parseTimeValue } from './time.ts';
import type { LineParser, ParseContext } from './types.ts';

const TIME_KEYS = ['@timestamp', 'timestamp', 'time', 'ts', 'date', 'datetime', 'asctime', 'eventTime'];
const LEVEL_KEYS = ['level', 'severity', 'lvl', 'loglevel', 'log_level', 'levelname', 'level_name', 'severity_text'];
const MESSAGE_KEYS = ['message', 'msg', '@message', 'event', 'text'];
const LOGGER_KEYS = ['logger', 'logger_name', 'loggerName', 'name'];
const THREAD_KEYS = ['thread', 'thread_name', 'threadName'];
const STACK_KEYS = ['stack', 'stack_trace', 'stackTrace', 'exc_info', 'exception'];

function take(obj: Record<string, unknown>, keys: readonly string[], used: Set<string>): unknown {
  for (const key of keys) {
    const value = obj[key];
    if (value !== undefined && value !== null && value !== '') {
      used.add(key);
      return value;
    }
  }
  return undefined;
}

function errorFields(value: unknown): Fields | undefined {
  if (typeof value === 'string') return { message: value };
  if (typeof value !== 'object' || value === null) return undefined;
  const e = value as Record<string, unknown>;
  const out: Fields = {};
  const type = e.type ?? e.name ?? e.kind ?? e.class;
  if (typeof type === 'string') out.type = type;
  if (typeof e.message === 'string') out.message = e.message;
  const stack = e.stack ?? e.stack_trace ?? e.stackTrace;
  if (typeof stack === 'string') out.stack_trace = stack;
  return Object.keys(out).length ? out : undefined;
}

/**
 * Maps a parsed JSON object to ECS fields; shared by the JSON parser and wrappers whose body is JSON.
 *
 * @example
 * fromObject({ level: 30, msg: 'hi', time: 1700000000000 }, ctx) // info, 'hi'
 */
export function fromObject(obj: Record<string, unknown>, ctx: ParseContext): ParsedLine {
  const used = new Set<string>();
  const rawTime = take(obj, TIME_KEYS, used);
  const time = rawTime === undefined ? undefined : parseTimeValue(rawTime, ctx.timeZone);
  if (rawTime !== undefined && time === undefined) used.delete(TIME_KEYS.find((k) => obj[k] === rawTime) ?? '');

  let level: Level | undefined;
  const rawLevel = take(obj, LEVEL_KEYS, used);
  if (rawLevel !== undefined) level = normaliseLevel(rawLevel);
  const nestedLog = obj.log;
  if (!level && typeof nestedLog === 'object' && nestedLog !== null) {
    level = normaliseLevel((nestedLog as Record<string, unknown>).level);
    if (level) used.add('log');
  }

  const rawMessage = take(obj, MESSAGE_KEYS, used);
  const fields: Fields = {};
  const logFields: Fields = {};
  const logger = take(obj, LOGGER_KEYS, used);
  if (typeof logger === 'string') logFields.logger = logger;
  if (Object.keys(logFields).length) fields.log = logFields;
  const thread = take(obj, THREAD_KEYS, used);
  const pid = take(obj, ['pid', 'process_id'], used);
  if (thread !== undefined || typeof pid === 'number') {
    const proc: Fields = {};
    if (thread !== undefined) proc.thread = { name: String(thread) };
    if (typeof pid === 'number') proc.pid = pid;
    fields.process = proc;
  }
  let err = errorFields(take(obj, ['error', 'err', 'exc'], used));
  // The Lambda Node runtime writes uncaught errors as errorType / errorMessage / stack (an array of lines).
  const errorType = take(obj, ['errorType', 'error_type', 'exception_type'], used);
  const errorMsg = take(obj, ['errorMessage', 'error_message', 'exception_message'], used);
  if (typeof errorType === 'string' || typeof errorMsg === 'string') {
    err = { ...err };
    if (typeof errorType === 'string') err.type = errorType;
    if (typeof errorMsg === 'string') err.message = errorMsg;
  }
  let stack = take(obj, STACK_KEYS, used);
  if (Array.isArray(stack) && stack.every((l) => typeof l === 'string')) stack = stack.join('\n');
  if (err || typeof stack === 'string') {
    fields.error = { ...err, ...(typeof stack === 'string' ? { stack_trace: stack } : {}) };
  }

  const app: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) if (!used.has(key)) app[key] = value;

  const parsed: ParsedLine = { dataset: 'app.json', fields };
  if (time !== undefined) parsed.time = time;
  if (level) parsed.level = level;
  if (rawMessage !== undefined) {
    parsed.message = typeof rawMessage === 'string' ? rawMessage : JSON.stringify(rawMessage);
  } else if (err?.message) {
    parsed.message = String(err.message);
  }
  if (Object.keys(app).length) parsed.app = app;
  return parsed;
}

/** Parses a line holding one JSON object; anything else is not this format. */
export function parseJsonObject(line: string): Record<string, unknown> | undefined {
  const start = line.charCodeAt(0) === 0x7b ? 0 : line.indexOf('{');
  if (start !== 0 && line.trimStart()[0] !== '{') return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export const appJson: LineParser = {
  dataset: 'app.json',
  parse(line, ctx) {
    const obj = parseJsonObject(line);
    return obj ? fromObject(obj, ctx) : undefined;
  },
};
