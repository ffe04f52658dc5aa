// Turns FilterLogEvents pages into pipeline input shaped like subscription messages: per log stream, same event ids.
import type { FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { ConfigError } from '#shared/errors.ts';
import type { InputEvent } from '#shared/model.ts';

export interface TimeRange {
  startMs: number;
  endMs: number;
}

function parseTime(value: string | undefined, flag: string): number {
  if (!value)
    throw new ConfigError(
      `${flag} is required (ISO-8601, e.g. 2025-11-20T00:00:00Z)`,
      undefined,
      flag,
    );
  // A date or date-time without a zone would silently mean the machine's zone: ask for one.
  if (/T\d/.test(value) && !/(Z|[+-]\d\d:?\d\d)$/i.test(value)) {
    throw new ConfigError(
      `${flag} ${value} has no time zone: add Z or an offset like +02:00`,
      undefined,
      flag,
    );
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new ConfigError(
      `${flag} ${JSON.stringify(value)} is not an ISO-8601 date or time`,
      undefined,
      flag,
    );
  return ms;
}

/**
 * The range to read, checked: both ends ISO-8601 with a zone (a bare date is UTC midnight), start before end.
 *
 * @example
 * parseTimeRange('2025-11-20', '2025-11-21T00:00:00Z') // { startMs: 1763596800000, endMs: 1763683200000 }
 */
export function parseTimeRange(start: string | undefined, end: string | undefined): TimeRange {
  const startMs = parseTime(start, '--start');
  const endMs = parseTime(end, '--end');
  if (endMs <= startMs)
    throw new ConfigError(`--end (${end}) must be after --start (${start})`, undefined, '--end');
  return { startMs, endMs };
}

/** Account id from a log group ARN (`arn:aws:logs:<region>:<account>:log-group:<name>:*`). */
export function accountOfLogGroupArn(arn: string | undefined): string | undefined {
  return arn?.split(':')[4] || undefined;
}

export interface BackfillSource {
  logGroup: string;
  owner?: string;
  region?: string;
}

/**
 * One page of FilterLogEvents as pipeline input: events grouped per log stream in time order, each
 * stream one delivery record (as one subscription message would be), ids kept as the CloudWatch
 * event ids so the documents get the `_id` the live path gives them.
 *
 * @example
 * const events = inputsFromPage(page.events ?? [], { logGroup: '/ecs/web', owner: '123456789012', region: 'eu-west-1' });
 */
export function inputsFromPage(
  events: readonly FilteredLogEvent[],
  source: BackfillSource,
): InputEvent[] {
  const byStream = new Map<string, FilteredLogEvent[]>();
  for (const e of events) {
    if (e.eventId === undefined || e.timestamp === undefined || e.message === undefined) continue;
    const stream = e.logStreamName ?? '';
    const list = byStream.get(stream);
    if (list) list.push(e);
    else byStream.set(stream, [e]);
  }
  const out: InputEvent[] = [];
  for (const [stream, list] of [...byStream].sort(([a], [b]) => a.localeCompare(b))) {
    list.sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0));
    const eventSource = {
      logGroup: source.logGroup,
      logStream: stream,
      owner: source.owner,
      region: source.region,
    };
    const recordId = `backfill:${stream}:${list[0]?.eventId}`;
    for (const e of list) {
      out.push({
        id: e.eventId ?? '',
        timestamp: e.timestamp ?? 0,
        message: e.message ?? '',
        source: eventSource,
        recordId,
      });
    }
  }
  return out;
}
