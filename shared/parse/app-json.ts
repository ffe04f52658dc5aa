// JSON application logs (pino, winston, bunyan, Powertools, logrus, zap, structlog, ecs-logging…): usual keys to ECS, the rest to `app`.
import { parseBoundedJson } from '#shared/bounded-json.ts';
import type { Fields, Level, ParsedLine } from '#shared/model.ts';
import { levelFromName, normaliseLevel } from './level.ts';
import { child, setOwn } from './merge.ts';
import { parseTimeValue } from './time.ts';
import type { LineParser, ParseContext } from './types.ts';

const TIME_KEYS = [
  '@timestamp',
  'timestamp',
  'time',
  'ts',
  '@t',
  'date',
  'datetime',
  'asctime',
  'eventTime',
  'timeMillis',
];
const LEVEL_KEYS = [
  'level',
  'log.level',
  'severity',
  'lvl',
  'loglevel',
  'log_level',
  'levelname',
  'level_name',
  '@l',
  'severity_text',
  'severityText',
  'SeverityText',
  'levelName',
];
const MESSAGE_KEYS = ['message', 'msg', '@message', '@m', 'event', 'text', '@mt', 'Body'];
const LOGGER_KEYS = ['logger', 'log.logger', 'logger_name', 'loggerName', 'name'];
const THREAD_KEYS = ['thread', 'thread_name', 'threadName', 'process.thread.name'];
const STACK_KEYS = [
  'stack',
  'stack_trace',
  'stackTrace',
  'stacktrace',
  'error.stack_trace',
  'exc_info',
  'exception',
  '@x',
];
// ECS homes of the correlation keys tracers and logging libraries add (OpenTelemetry, Datadog, ecs-logging, Spring).
const TRACE_KEYS = ['trace.id', 'trace_id', 'traceId', 'traceID', 'dd.trace_id'];
const SPAN_KEYS = ['span.id', 'span_id', 'spanId', 'spanID', 'dd.span_id'];
const SERVICE_KEYS = ['service.name', 'service', 'service_name', 'dd.service'];
const FAAS_KEYS = [
  'function_request_id',
  'function_name',
  'function_arn',
  'cold_start',
  'xray_trace_id',
];
const CONTEXT_KEYS = new Set([
  ...TRACE_KEYS,
  ...SPAN_KEYS,
  ...SERVICE_KEYS,
  ...FAAS_KEYS,
  'caller',
  'source',
]);

type Obj = Record<string, unknown>;

/** The first present key whose value `accept` takes; only that key is marked used. */
function take<T>(
  obj: Obj,
  keys: readonly string[],
  used: Set<string>,
  accept: (v: unknown) => T | undefined,
): T | undefined {
  for (const key of keys) {
    const value = obj[key];
    if (value === undefined || value === null || value === '' || !Object.hasOwn(obj, key)) continue;
    const out = accept(value);
    if (out !== undefined) {
      used.add(key);
      return out;
    }
  }
  return undefined;
}

const asString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const asScalarString = (v: unknown): string | undefined =>
  typeof v === 'string'
    ? v
    : typeof v === 'number' || typeof v === 'boolean'
      ? String(v)
      : undefined;

function errorFields(value: unknown): Fields | undefined {
  if (typeof value === 'string') return { message: value };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const e = value as Obj;
  const out: Fields = {};
  const type = e.type ?? e.name ?? e.kind ?? e.class;
  if (typeof type === 'string') out.type = type;
  if (typeof e.message === 'string') out.message = e.message;
  let stack = e.stack ?? e.stack_trace ?? e.stackTrace ?? e.extendedStackTrace;
  if (Array.isArray(stack) && stack.every((l) => typeof l === 'string')) stack = stack.join('\n');
  if (typeof stack === 'string') out.stack_trace = stack;
  return Object.keys(out).length ? out : undefined;
}

/**
 * Maps a parsed JSON object to ECS fields; shared by the JSON parser and wrappers whose body is JSON.
 *
 * @example
 * fromObject({ level: 30, msg: 'hi', time: 1700000000000 }, ctx) // info, 'hi'
 */
export function fromObject(obj: Obj, ctx: ParseContext): ParsedLine {
  const used = new Set<string>();
  const time = take(obj, TIME_KEYS, used, (v) => parseTimeValue(v, ctx.timeZone));
  let level: Level | undefined = take(obj, LEVEL_KEYS, used, normaliseLevel);
  // Datadog's `status` names the level; as a number it is an HTTP status, never a level.
  if (!level && typeof obj.status === 'string' && Object.hasOwn(obj, 'status')) {
    level = levelFromName(obj.status);
    if (level) used.add('status');
  }
  const nestedLog = obj.log;
  if (!level && typeof nestedLog === 'object' && nestedLog !== null) {
    level = normaliseLevel((nestedLog as Obj).level);
    if (level) used.add('log');
  }

  const message = take(obj, MESSAGE_KEYS, used, asString);
  const fields: Fields = {};
  const logger = take(obj, LOGGER_KEYS, used, asString);
  if (logger !== undefined) fields.log = { logger };
  const thread = take(obj, THREAD_KEYS, used, asScalarString);
  const pid = take(obj, ['pid', 'process_id', 'process.pid'], used, (v) =>
    Number.isSafeInteger(v) ? (v as number) : undefined,
  );
  if (thread !== undefined || pid !== undefined) {
    const proc: Fields = {};
    if (thread !== undefined) proc.thread = { name: thread };
    if (pid !== undefined) proc.pid = pid;
    fields.process = proc;
  }
  let err = take(obj, ['error', 'err', 'exc', 'thrown'], used, errorFields);
  // The Lambda Node runtime writes uncaught errors as errorType / errorMessage / stack (an array of lines).
  const errorType = take(
    obj,
    ['errorType', 'error_type', 'exception_type', 'error.type'],
    used,
    asString,
  );
  const errorMsg = take(
    obj,
    ['errorMessage', 'error_message', 'exception_message', 'error.message'],
    used,
    asString,
  );
  if (errorType !== undefined || errorMsg !== undefined) {
    err = { ...err };
    if (errorType !== undefined) err.type = errorType;
    if (errorMsg !== undefined) err.message = errorMsg;
  }
  const stack = take(obj, STACK_KEYS, used, (v) =>
    typeof v === 'string'
      ? v
      : Array.isArray(v) && v.every((l) => typeof l === 'string')
        ? v.join('\n')
        : undefined,
  );
  if (err || stack !== undefined)
    fields.error = { ...err, ...(stack !== undefined ? { stack_trace: stack } : {}) };

  const keys = Object.keys(obj);
  if (typeof obj.hostname === 'string' && Object.hasOwn(obj, 'hostname')) {
    fields.host = { hostname: obj.hostname };
    used.add('hostname');
  }
  // Most lines have none of the correlation and origin keys: one look at each key says so.
  if (keys.some((k) => CONTEXT_KEYS.has(k))) contextFields(obj, used, fields);
  const app: Obj = {};
  for (const key of keys) if (!used.has(key)) setOwn(app, key, obj[key]);

  const parsed: ParsedLine = { dataset: 'app.json', fields };
  if (time !== undefined) parsed.time = time;
  if (level) parsed.level = level;
  if (message !== undefined) parsed.message = message;
  else if (typeof err?.message === 'string') parsed.message = err.message;
  if (Object.keys(app).length) parsed.app = app;
  return parsed;
}

// zap's `caller` (`server/main.go:42`), a file and a line.
const CALLER = /^(.+):(\d+)$/;

/** Where the line was logged from, the host it ran on, and the trace and service it belongs to. */
function contextFields(obj: Obj, used: Set<string>, fields: Fields): void {
  const id = (v: unknown) =>
    typeof v === 'string' || Number.isSafeInteger(v) ? String(v) : undefined;
  const trace = take(obj, TRACE_KEYS, used, id);
  if (trace !== undefined) fields.trace = { id: trace };
  const span = take(obj, SPAN_KEYS, used, id);
  if (span !== undefined) fields.span = { id: span };
  const service = take(obj, SERVICE_KEYS, used, asString);
  if (service !== undefined) fields.service = { name: service };
  faasFields(obj, used, fields);
  const origin =
    take(obj, ['caller'], used, (v) => (typeof v === 'string' ? originOf(v) : undefined)) ??
    take(obj, ['source'], used, (v) => (typeof v === 'object' ? originOf(v) : undefined));
  if (origin) child(fields, 'log').origin = origin;
}

/** What Powertools for AWS Lambda adds to every line: the function, the invocation, the trace. */
function faasFields(obj: Obj, used: Set<string>, fields: Fields): void {
  const faas: Fields = {};
  const execution = take(obj, ['function_request_id'], used, asString);
  if (execution !== undefined) faas.execution = execution;
  const name = take(obj, ['function_name'], used, asString);
  if (name !== undefined) faas.name = name;
  const arn = take(obj, ['function_arn'], used, asString);
  if (arn !== undefined) faas.id = arn;
  const cold = take(obj, ['cold_start'], used, (v) => (typeof v === 'boolean' ? v : undefined));
  if (cold !== undefined) faas.coldstart = cold;
  if (Object.keys(faas).length) fields.faas = faas;
  const xray = take(obj, ['xray_trace_id'], used, asString);
  if (xray !== undefined && fields.trace === undefined) fields.trace = { id: xray };
}

/** zap's `file.go:42`, or Go slog's `{ function, file, line }`, as `log.origin`. */
function originOf(v: unknown): Fields | undefined {
  if (typeof v === 'string') {
    const m = CALLER.exec(v);
    return m ? { file: { name: m[1], line: Number(m[2]) } } : undefined;
  }
  const o = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
  if (typeof o?.file !== 'string' || !Number.isSafeInteger(o.line)) return undefined;
  const out: Fields = { file: { name: o.file, line: o.line } };
  if (typeof o.function === 'string') out.function = o.function;
  return out;
}

/** Parses a line holding one JSON object; anything else is not this format. */
export function parseJsonObject(line: string): Obj | undefined {
  const first = line.charCodeAt(0);
  if (first !== 0x7b && line.trimStart()[0] !== '{') return undefined;
  // Nested past the bound, the line stays text: every walk of a document is then bounded too.
  const parsed = parseBoundedJson(line);
  const value = parsed && 'value' in parsed ? parsed.value : undefined;
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Obj)
    : undefined;
}

export const appJson: LineParser = {
  dataset: 'app.json',
  parse(line, ctx) {
    const obj = parseJsonObject(line);
    return obj ? fromObject(obj, ctx) : undefined;
  },
};
