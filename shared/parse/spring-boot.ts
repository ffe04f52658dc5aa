// Spring Boot's default console pattern, 2.x and 3.x: `date  LEVEL pid --- [app] [thread] [trace-span] logger : msg`.
import type { Fields, ParsedLine } from '#shared/model.ts';
import { levelFromName } from './level.ts';
import { parseIsoTime } from './time.ts';
import type { LineParser } from './types.ts';

// Spring Cloud Sleuth (Boot 2) writes `[app,traceId,spanId,exportable]` between the level and the pid.
const LINE =
  /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?) +(TRACE|DEBUG|INFO|WARN|ERROR|FATAL) +(?:\[([^\],\]]*),([\da-f]*),([\da-f]*)(?:,\w*)?\] +)?(\d+) --- (?:\[([^\]]*)\] )?\[([^\]]*)\] (?:\[([^\]]*)\] )?(\S+) *: ?(.*)$/s;
const CORRELATION = /^([0-9a-f]{32})-([0-9a-f]{16})$/;

export const springBoot: LineParser = {
  dataset: 'app.spring',
  parse(line, ctx): ParsedLine | undefined {
    const m = LINE.exec(line);
    if (!m) return undefined;
    const [
      ,
      ts,
      level,
      sleuthApp,
      sleuthTrace,
      sleuthSpan,
      pid,
      bootApp,
      thread,
      correlation,
      logger,
      message = '',
    ] = m;
    const appName = bootApp ?? sleuthApp;
    const time = parseIsoTime(ts!, ctx.timeZone);
    if (time === undefined) return undefined;
    const fields: Fields = {
      log: { logger },
      process: { pid: Number(pid), thread: { name: thread!.trim() } },
    };
    const app: Record<string, unknown> = {};
    if (appName?.trim()) fields.service = { name: appName.trim() };
    const ids = correlation ? CORRELATION.exec(correlation) : null;
    if (sleuthTrace) {
      fields.trace = { id: sleuthTrace };
      if (sleuthSpan) fields.span = { id: sleuthSpan };
    }
    if (ids) {
      fields.trace = { id: ids[1] };
      fields.span = { id: ids[2] };
    } else if (correlation?.trim()) app.correlation = correlation.trim();
    const parsed: ParsedLine = {
      dataset: 'app.spring',
      time,
      level: levelFromName(level!),
      message,
      fields,
    };
    if (Object.keys(app).length) parsed.app = app;
    return parsed;
  },
};
