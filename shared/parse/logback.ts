// logback / log4j pattern layouts: `%d [%thread] %-5level %logger - %msg` and its usual reorderings, with or without a date.
import type { Fields, ParsedLine } from '#shared/model.ts';
import { levelFromName } from './level.ts';
import { parseIsoTime, parseTimeOfDay } from './time.ts';
import type { LineParser, ParseContext } from './types.ts';

const TIME =
  '(\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}(?:[.,]\\d{1,9})?(?:Z|[+-]\\d{2}:?\\d{2})?|\\d{2}:\\d{2}:\\d{2}[.,]\\d{3})';
const LEVEL = '(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL)';
// %d [%thread] %-5level %logger{36} - %msg  (logback's documented default)
const THREAD_FIRST = new RegExp(`^${TIME} +\\[([^\\]]*)\\] +${LEVEL} +(\\S+) +- ?(.*)$`, 's');
// %d %-5level [%thread] %logger - %msg
const LEVEL_FIRST = new RegExp(`^${TIME} +${LEVEL} +\\[([^\\]]*)\\] +(\\S+) *[-:] ?(.*)$`, 's');
// %d %-5level %logger - %msg
const NO_THREAD = new RegExp(`^${TIME} +${LEVEL} +(\\S+) +- (.*)$`, 's');

function time(text: string, ctx: ParseContext): number | undefined {
  // logback's default `%d{HH:mm:ss.SSS}` has no date: the transport time supplies it.
  return text.length <= 12
    ? parseTimeOfDay(text, ctx.eventTime, ctx.timeZone)
    : parseIsoTime(text, ctx.timeZone);
}

function build(
  ts: string,
  thread: string | undefined,
  level: string,
  logger: string,
  message: string,
  ctx: ParseContext,
): ParsedLine | undefined {
  const t = time(ts, ctx);
  if (t === undefined) return undefined;
  const fields: Fields = { log: { logger } };
  if (thread) fields.process = { thread: { name: thread } };
  return { dataset: 'app.logback', time: t, level: levelFromName(level), message, fields };
}

export const logback: LineParser = {
  dataset: 'app.logback',
  parse(line, ctx): ParsedLine | undefined {
    let m = THREAD_FIRST.exec(line);
    if (m) return build(m[1]!, m[2], m[3]!, m[4]!, m[5] ?? '', ctx);
    m = LEVEL_FIRST.exec(line);
    if (m) return build(m[1]!, m[3], m[2]!, m[4]!, m[5] ?? '', ctx);
    m = NO_THREAD.exec(line);
    if (m) return build(m[1]!, undefined, m[2]!, m[3]!, m[4] ?? '', ctx);
    return undefined;
  },
};
