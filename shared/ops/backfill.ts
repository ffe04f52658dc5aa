// Reads a log group's history with FilterLogEvents and feeds it through the same pipeline as live data.
import {
  type CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
  type FilterLogEventsCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import type { Config } from '#shared/config/schema.ts';
import { runBatch } from '#shared/pipeline/deliver.ts';
import type { BatchReport } from '#shared/pipeline/outcome.ts';
import { backoffDelay, sleep as realSleep } from '#shared/retry.ts';
import type { Sinks } from '#shared/sinks/types.ts';
import { accountOfLogGroupArn, inputsFromPage, type TimeRange } from './backfill-plan.ts';
import { type ThrottleOptions, withThrottleRetry } from './throttle.ts';

type Logs = Pick<CloudWatchLogsClient, 'send'>;

export interface BackfillProgress {
  pages: number;
  events: number;
  indexed: number;
  /** Newest event time delivered so far; with the range, roughly how far along the run is. */
  position?: number;
}

export interface BackfillOptions extends TimeRange {
  logGroup: string;
  config: Config;
  /** The real sinks (createRuntime), without alerts: history is not news. */
  sinks: Sinks;
  region?: string;
  /** Time each page has to be delivered, retries included. */
  batchTimeoutMs?: number;
  /** Tries per page before the run stops (each a full runBatch; ids make repeats harmless). */
  batchAttempts?: number;
  /** Events per FilterLogEvents page; 10 000 at most. */
  pageSize?: number;
  throttle?: ThrottleOptions;
  onProgress?: (p: BackfillProgress) => void;
  sleep?: (ms: number) => Promise<void>;
}

export interface BackfillReport {
  logGroup: string;
  start: string;
  end: string;
  pages: number;
  events: number;
  documents: number;
  indexed: number;
  archived: number;
  deadLettered: number;
  dropped: Record<string, number>;
  /** Set when a page could not be delivered: run again from `resumeFrom` (repeats do not duplicate). */
  incomplete?: { resumeFrom: string; error: string };
}

/** The account owning a log group (for `cloud.account.id`), which also proves the group exists. */
async function ownerOf(
  logs: Logs,
  logGroup: string,
  throttle?: ThrottleOptions,
): Promise<string | undefined> {
  const page = await withThrottleRetry(
    'DescribeLogGroups',
    () => logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: logGroup, limit: 50 })),
    throttle,
  );
  const group = page.logGroups?.find((g) => g.logGroupName === logGroup);
  return accountOfLogGroupArn(group?.arn);
}

function undelivered(report: BatchReport): string | undefined {
  for (const outcome of report.outcomes.values()) {
    if (outcome === 'retry') return report.errors[0] ?? 'some documents were not delivered';
  }
  return undefined;
}

/**
 * Pages through `[startMs, endMs]` of a log group and runs each page through `runBatch`. A page that
 * keeps failing stops the run with `incomplete.resumeFrom`; the documents' `_id` is the CloudWatch
 * event id, so a repeated or overlapping run overwrites instead of duplicating.
 *
 * @example
 * const report = await backfillLogGroup(logs, { logGroup: '/ecs/web', startMs, endMs, config, sinks });
 */
export async function backfillLogGroup(logs: Logs, opts: BackfillOptions): Promise<BackfillReport> {
  const sleep = opts.sleep ?? realSleep;
  const attempts = opts.batchAttempts ?? 5;
  const report: BackfillReport = {
    logGroup: opts.logGroup,
    start: new Date(opts.startMs).toISOString(),
    end: new Date(opts.endMs).toISOString(),
    pages: 0,
    events: 0,
    documents: 0,
    indexed: 0,
    archived: 0,
    deadLettered: 0,
    dropped: {},
  };
  const owner = await ownerOf(logs, opts.logGroup, opts.throttle);
  let position: number | undefined;
  let nextToken: string | undefined;
  do {
    const page: FilterLogEventsCommandOutput = await withThrottleRetry(
      'FilterLogEvents',
      () =>
        logs.send(
          new FilterLogEventsCommand({
            logGroupName: opts.logGroup,
            startTime: opts.startMs,
            endTime: opts.endMs,
            limit: opts.pageSize ?? 10_000,
            nextToken,
          }),
        ),
      opts.throttle,
    );
    nextToken = page.nextToken;
    report.pages++;
    const events = inputsFromPage(page.events ?? [], {
      logGroup: opts.logGroup,
      owner,
      region: opts.region,
    });
    if (events.length === 0) continue;

    let batch: BatchReport | undefined;
    let error: string | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await sleep(backoffDelay(attempt, { baseMs: 1000, maxMs: 30_000 }) + 500);
      batch = await runBatch(
        events,
        [],
        { config: opts.config, sinks: opts.sinks },
        Date.now() + (opts.batchTimeoutMs ?? 60_000),
      );
      error = undelivered(batch);
      if (!error) break;
    }
    if (!batch || error) {
      // Its oldest event: FilterLogEvents interleaves streams roughly, not strictly, by time, and
      // whatever before it is read again is overwritten, not duplicated.
      const oldest = Math.min(...events.map((e) => e.timestamp));
      report.incomplete = {
        resumeFrom: new Date(oldest).toISOString(),
        error: error ?? 'not delivered',
      };
      break;
    }
    report.events += batch.events;
    report.documents += batch.documents;
    report.indexed += batch.indexed;
    report.archived += batch.archived;
    report.deadLettered += batch.deadLettered;
    for (const [rule, n] of Object.entries(batch.dropped))
      report.dropped[rule] = (report.dropped[rule] ?? 0) + n;
    // For the progress line only: pages move forward in time, roughly.
    position = Math.max(position ?? 0, ...events.map((e) => e.timestamp));
    opts.onProgress?.({
      pages: report.pages,
      events: report.events,
      indexed: report.indexed,
      position,
    });
  } while (nextToken);
  return report;
}
