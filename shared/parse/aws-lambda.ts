// AWS Lambda platform lines (START/END/REPORT) and Node/Python runtime lines, whose message may be JSON.
import type { Fields, ParsedLine } from '#shared/model.ts';
import { fromObject, parseJsonObject } from './app-json.ts';
import { levelFromName } from './level.ts';
import { child, mergeFields, setOwn } from './merge.ts';
import { parseIsoTime } from './time.ts';
import type { LineParser, ParseContext } from './types.ts';

const PLATFORM =
  /^(START|END|REPORT|INIT_START|INIT_REPORT|RESTORE_START|RESTORE_REPORT|XRAY|EXTENSION|TELEMETRY|LOGS)[ \t](.*)$/s;
// Lines the runtime writes in its own words: a timeout, and an error raised before the handler ran.
const TIMEOUT =
  /^(\d{4}-\d{2}-\d{2}T[\d:.]+Z) ([0-9a-f-]{36}) (Task timed out after [\d.]+ seconds)$/;
const INIT_ERROR = /^\[(ERROR|CRITICAL)\] ([\w.]+): (.*)$/s;
// The Node runtime's error records: `Invoke Error \t{"errorType":…}`.
const NODE_ERROR =
  /^((?:Uncaught Exception|Unhandled Promise Rejection|Invoke Error)) ?\t(\{.*\})\s*$/s;
const REQUEST_ID = /RequestId: ([0-9a-f-]{36})/;
// Node: `2024-01-15T10:00:00.000Z\t<request id>\tINFO\tmessage`
const NODE = /^(\d{4}-\d{2}-\d{2}T[\d:.]+Z)\t([0-9a-f-]{36}|undefined)\t([A-Z]+)\t(.*)$/s;
// Python: `[INFO]\t2024-01-15T10:00:00.000Z\t<request id>\tmessage`
const PYTHON = /^\[([A-Z]+)\]\t(\d{4}-\d{2}-\d{2}T[\d:.]+Z)\t([0-9a-f-]{36}|\S*)\t(.*)$/s;

// REPORT figures as typed fields users chart: `aws.lambda.*` in the unit the line states.
const REPORT_FIELDS: Record<string, string> = {
  Duration: 'duration_ms',
  'Billed Duration': 'billed_duration_ms',
  'Memory Size': 'memory_size_mb',
  'Max Memory Used': 'max_memory_used_mb',
  'Init Duration': 'init_duration_ms',
  'Restore Duration': 'restore_duration_ms',
  'Billed Restore Duration': 'billed_restore_duration_ms',
};
const REPORT_METRIC =
  /(Billed Restore Duration|Restore Duration|Init Duration|Billed Duration|Duration|Memory Size|Max Memory Used): ([\d.]+) (?:ms|MB)/g;
// The same figures in the JSON log format's `platform.report` record.
const JSON_METRICS: Record<string, string> = {
  durationMs: 'duration_ms',
  billedDurationMs: 'billed_duration_ms',
  memorySizeMB: 'memory_size_mb',
  maxMemoryUsedMB: 'max_memory_used_mb',
  initDurationMs: 'init_duration_ms',
  restoreDurationMs: 'restore_duration_ms',
  billedRestoreDurationMs: 'billed_restore_duration_ms',
};

/** `aws.lambda.*` figures, `event.duration` (ns) and `faas.coldstart` (an init duration was reported). */
function reportFields(metrics: Record<string, number>, fields: Fields): void {
  if (!Object.keys(metrics).length) return;
  Object.assign(child(child(fields, 'aws'), 'lambda'), metrics);
  if (metrics.duration_ms !== undefined)
    child(fields, 'event').duration = Math.round(metrics.duration_ms * 1e6);
  if (metrics.init_duration_ms !== undefined) child(fields, 'faas').coldstart = true;
}

function reportMetrics(rest: string): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const m of rest.matchAll(REPORT_METRIC)) {
    const n = Number(m[2]);
    if (Number.isFinite(n)) metrics[REPORT_FIELDS[m[1]!]!] = n;
  }
  return metrics;
}

function runtimeLine(
  time: string,
  requestId: string,
  levelName: string,
  body: string,
  ctx: ParseContext,
): ParsedLine {
  // The Node runtime writes `undefined` for the request id of a line logged outside an invocation.
  const fields: Fields = requestId === 'undefined' ? {} : { faas: { execution: requestId } };
  const nodeError = NODE_ERROR.exec(body);
  const json = nodeError ? nodeError[2]! : body.trim();
  const obj = json.endsWith('}') ? parseJsonObject(json) : undefined;
  if (obj) {
    const inner = fromObject(obj, ctx);
    const parsed: ParsedLine = {
      ...inner,
      dataset: 'aws.lambda',
      time: inner.time ?? parseIsoTime(time),
      level: inner.level ?? levelFromName(levelName) ?? 'info',
      fields: { ...inner.fields, ...fields },
    };
    if (nodeError) parsed.message = `${nodeError[1]}: ${inner.message ?? ''}`.trimEnd();
    return parsed;
  }
  const parsed: ParsedLine = {
    dataset: 'aws.lambda',
    message: body.trimEnd(),
    fields,
    level: levelFromName(levelName) ?? 'info',
  };
  const t = parseIsoTime(time);
  if (t !== undefined) parsed.time = t;
  return parsed;
}

/** `Name: x\tState: Ready\t…` of the lines that need no request id (XRAY, EXTENSION, …), as `app`. */
function tabPairs(rest: string): Record<string, unknown> {
  const app: Record<string, unknown> = {};
  for (const part of rest.split('\t')) {
    const colon = part.indexOf(': ');
    if (colon > 0)
      setOwn(
        app,
        part.slice(0, colon).toLowerCase().replace(/ /g, '_'),
        part.slice(colon + 2).trim(),
      );
  }
  return app;
}

function platformLine(kind: string, rest: string, line: string): ParsedLine | undefined {
  const requestId = REQUEST_ID.exec(rest)?.[1];
  if (!requestId && (kind === 'START' || kind === 'END' || kind === 'REPORT')) return undefined;
  // Extensions' lines name the extension; an X-Ray line names the trace. Other text led by these
  // words is no platform line.
  const named = kind === 'EXTENSION' || kind === 'TELEMETRY' || kind === 'LOGS';
  if (kind === 'XRAY' ? !rest.startsWith('TraceId: ') : named && !rest.startsWith('Name: '))
    return undefined;
  const fields: Fields = { event: { action: kind.toLowerCase() } };
  if (requestId) fields.faas = { execution: requestId };
  const parsed: ParsedLine = {
    dataset: 'aws.lambda',
    message: line.trimEnd(),
    level: 'info',
    fields,
  };
  if (kind === 'XRAY' || named) {
    const app = tabPairs(rest);
    if (typeof app.traceid === 'string') {
      fields.trace = { id: app.traceid };
      delete app.traceid;
    }
    if (Object.keys(app).length) parsed.app = app;
    return parsed;
  }
  if (kind === 'REPORT' || kind === 'INIT_REPORT' || kind === 'RESTORE_REPORT') {
    reportFields(reportMetrics(rest), fields);
    const status = /Status: (\w+)/.exec(rest)?.[1];
    if (status) {
      child(child(fields, 'aws'), 'lambda').status = status;
      if (status !== 'success') parsed.level = 'error';
    }
  }
  return parsed;
}

/** `[ERROR] Runtime.ImportModuleError: …` and `… Task timed out after 3.00 seconds`. */
function runtimeError(line: string, ctx: ParseContext): ParsedLine | undefined {
  const timeout = TIMEOUT.exec(line);
  if (timeout) {
    const parsed: ParsedLine = {
      dataset: 'aws.lambda',
      message: timeout[3],
      level: 'error',
      fields: {
        faas: { execution: timeout[2] },
        error: { type: 'Runtime.Timeout', message: timeout[3] },
      },
    };
    const t = parseIsoTime(timeout[1]!, ctx.timeZone);
    if (t !== undefined) parsed.time = t;
    return parsed;
  }
  const init = INIT_ERROR.exec(line);
  if (!init || !/^(?:Runtime\.|[\w.]*(?:Error|Exception)$)/.test(init[2]!)) return undefined;
  return {
    dataset: 'aws.lambda',
    message: `${init[2]}: ${init[3]}`,
    level: levelFromName(init[1]!) ?? 'error',
    fields: { error: { type: init[2], message: init[3] } },
  };
}

export const awsLambda: LineParser = {
  dataset: 'aws.lambda',
  parse(line, ctx): ParsedLine | undefined {
    const platform = PLATFORM.exec(line);
    if (platform) return platformLine(platform[1]!, platform[2] ?? '', line);
    const node = NODE.exec(line);
    if (node) return runtimeLine(node[1]!, node[2]!, node[3]!, node[4]!, ctx);
    const py = PYTHON.exec(line);
    if (py) return runtimeLine(py[2]!, py[3]!, py[1]!, py[4]!, ctx);
    return runtimeError(line, ctx);
  },
};

/** True for a Lambda platform record in the JSON log format (`{"type":"platform.report","record":{…}}`). */
export function isLambdaPlatformObject(obj: Record<string, unknown>): boolean {
  return (
    typeof obj.type === 'string' &&
    obj.type.startsWith('platform.') &&
    typeof obj.record === 'object'
  );
}

/**
 * Maps a Lambda JSON-format platform record to the same fields as its text form.
 *
 * @example
 * fromLambdaPlatformObject({ time: '2025-01-15T10:00:00Z', type: 'platform.start', record: { requestId: 'r' } }, line, ctx)
 */
export function fromLambdaPlatformObject(
  obj: Record<string, unknown>,
  line: string,
  ctx: ParseContext,
): ParsedLine {
  const type = String(obj.type);
  const record = (obj.record ?? {}) as Record<string, unknown>;
  const event: Fields = { action: type.slice('platform.'.length).toLowerCase() };
  const fields: Fields = { event };
  if (typeof record.requestId === 'string') fields.faas = { execution: record.requestId };
  const parsed: ParsedLine = { dataset: 'aws.lambda', message: line, level: 'info', fields };
  const time = typeof obj.time === 'string' ? parseIsoTime(obj.time, ctx.timeZone) : undefined;
  if (time !== undefined) parsed.time = time;
  const metrics = record.metrics as Record<string, unknown> | undefined;
  const typed: Record<string, number> = {};
  // The durationMs of an init or restore report is that phase's duration, not an invocation's.
  const phase =
    type === 'platform.initReport' ? 'init_' : type === 'platform.restoreReport' ? 'restore_' : '';
  if (metrics && typeof metrics === 'object') {
    for (const [k, name] of Object.entries(JSON_METRICS)) {
      const v = metrics[k];
      if (typeof v === 'number' && Number.isFinite(v))
        typed[k === 'durationMs' && phase ? `${phase}duration_ms` : name] = v;
    }
  }
  const root = /Root=([\w-]+)/.exec(
    String((record.tracing as { value?: unknown } | undefined)?.value ?? ''),
  );
  if (root) fields.trace = { id: root[1] };
  if (typeof record.errorType === 'string') fields.error = { type: record.errorType };
  reportFields(typed, fields);
  const app: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    if (k === 'requestId') continue;
    if (k === 'metrics' && metrics && typeof metrics === 'object') {
      const rest = Object.fromEntries(
        Object.entries(metrics).filter(([m]) => !(m in JSON_METRICS)),
      );
      if (Object.keys(rest).length) setOwn(app, k, rest);
    } else setOwn(app, k, v);
  }
  if (Object.keys(app).length) parsed.app = app;
  if (typeof record.status === 'string' && record.status !== 'success') parsed.level = 'error';
  return parsed;
}

/**
 * An application line in Lambda's JSON log format (`{"timestamp":…,"level":…,"requestId":…}`): the
 * request id is the invocation.
 *
 * @example
 * lambdaJson({ level: 'INFO', requestId: 'r-1', message: 'hi' }, ctx).fields // { faas: { execution: 'r-1' } }
 */
export function lambdaJson(obj: Record<string, unknown>, ctx: ParseContext): ParsedLine {
  const parsed = { ...fromObject(obj, ctx), dataset: 'aws.lambda' as const };
  if (typeof obj.requestId === 'string') {
    parsed.fields = mergeFields(parsed.fields ?? {}, { faas: { execution: obj.requestId } });
    if (parsed.app) delete parsed.app.requestId;
    if (parsed.app && Object.keys(parsed.app).length === 0) delete parsed.app;
  }
  return parsed;
}

/** What a route pinning `aws.lambda` reads: the text lines, platform records and the JSON log format. */
export const awsLambdaAny: LineParser = {
  dataset: 'aws.lambda',
  parse(line, ctx) {
    if (line.charCodeAt(0) !== 0x7b) return awsLambda.parse(line, ctx);
    const obj = parseJsonObject(line);
    if (!obj) return undefined;
    if (isLambdaPlatformObject(obj)) return fromLambdaPlatformObject(obj, line, ctx);
    return lambdaJson(obj, ctx);
  },
};
