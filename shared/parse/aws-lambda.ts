// AWS Lambda platform lines (START/END/REPORT) and Node/Python runtime lines, whose message may be JSON.
import type { Fields, ParsedLine } from '#shared/model.ts';
import { fromObject, parseJsonObject } from './app-json.ts';
import { levelFromName } from './level.ts';
import { setOwn } from './merge.ts';
import { parseIsoTime } from './time.ts';
import type { LineParser, ParseContext } from './types.ts';

const PLATFORM = /^(START|END|REPORT|INIT_START|INIT_REPORT|RESTORE_START|RESTORE_REPORT) (.*)$/s;
const REQUEST_ID = /RequestId: ([0-9a-f-]{36})/;
// Node: `2024-01-15T10:00:00.000Z\t<request id>\tINFO\tmessage`
const NODE = /^(\d{4}-\d{2}-\d{2}T[\d:.]+Z)\t([0-9a-f-]{36}|undefined)\t([A-Z]+)\t(.*)$/s;
// Python: `[INFO]\t2024-01-15T10:00:00.000Z\t<request id>\tmessage`
const PYTHON = /^\[([A-Z]+)\]\t(\d{4}-\d{2}-\d{2}T[\d:.]+Z)\t([0-9a-f-]{36}|\S*)\t(.*)$/s;

function reportFields(rest: string): Record<string, number | string> {
  const metrics: Record<string, number | string> = {};
  for (const m of rest.matchAll(
    /(Init Duration|Billed Duration|Duration|Memory Size|Max Memory Used): ([\d.]+) (ms|MB)/g,
  )) {
    metrics[m[1]!.toLowerCase().replace(/ /g, '_')] = Number(m[2]);
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
  const fields: Fields = { faas: { execution: requestId } };
  const obj = body.trimEnd().endsWith('}') ? parseJsonObject(body.trim()) : undefined;
  if (obj) {
    const inner = fromObject(obj, ctx);
    return {
      ...inner,
      dataset: 'aws.lambda',
      time: inner.time ?? parseIsoTime(time),
      level: inner.level ?? levelFromName(levelName) ?? 'info',
      fields: { ...inner.fields, ...fields },
    };
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

export const awsLambda: LineParser = {
  dataset: 'aws.lambda',
  parse(line, ctx): ParsedLine | undefined {
    const platform = PLATFORM.exec(line);
    if (platform) {
      const [, kind, rest = ''] = platform;
      if (!REQUEST_ID.test(rest) && !kind!.startsWith('INIT') && !kind!.startsWith('RESTORE'))
        return undefined;
      const requestId = REQUEST_ID.exec(rest)?.[1];
      const fields: Fields = { event: { action: kind!.toLowerCase() } };
      if (requestId) fields.faas = { execution: requestId };
      const parsed: ParsedLine = {
        dataset: 'aws.lambda',
        message: line.trimEnd(),
        level: 'info',
        fields,
      };
      if (kind === 'REPORT') {
        const metrics = reportFields(rest);
        parsed.app = metrics;
        if (typeof metrics.duration === 'number') {
          (fields.event as Fields).duration = Math.round(metrics.duration * 1e6);
        }
        const status = /Status: (\w+)/.exec(rest)?.[1];
        if (status) {
          metrics.status = status;
          if (status !== 'success') parsed.level = 'error';
        }
      }
      return parsed;
    }
    const node = NODE.exec(line);
    if (node) return runtimeLine(node[1]!, node[2]!, node[3]!, node[4]!, ctx);
    const py = PYTHON.exec(line);
    if (py) return runtimeLine(py[2]!, py[3]!, py[1]!, py[4]!, ctx);
    return undefined;
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
  if (metrics && typeof metrics.durationMs === 'number')
    event.duration = Math.round(metrics.durationMs * 1e6);
  const app: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) if (k !== 'requestId') setOwn(app, k, v);
  if (Object.keys(app).length) parsed.app = app;
  if (typeof record.status === 'string' && record.status !== 'success') parsed.level = 'error';
  return parsed;
}
