// CloudWatch Logs as it delivers to Lambda: new log groups reach the subscribe function, subscribed groups' new events reach their filter's function.
import {
  CloudWatchLogsClient,
  DescribeSubscriptionFiltersCommand,
  paginateDescribeLogGroups,
  paginateFilterLogEvents,
} from '@aws-sdk/client-cloudwatch-logs';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type AwsTarget, queueUrl } from './deployed.ts';
import { compileFilterPattern, type Matcher } from './filter-pattern.ts';
import {
  asyncFailureRecord,
  cloudWatchLogsEvent,
  controlMessage,
  createLogGroupEvent,
  type LogEvent,
  logEventId,
  scheduledEvent,
} from './lambda-events.ts';
import type { LocalFunction } from './lambda-runtime.ts';

/** What CloudWatch Logs puts in one delivery at most. */
const MAX_EVENTS = 10_000;
const MAX_BYTES = 1024 * 1024;
/** Lambda waits about a minute, then two, between asynchronous retries; the dev loop a second, then two. */
const ASYNC_RETRY_MS = [1_000, 2_000];

export interface LogsState {
  /** Log groups seen so far: a group not in it is new, and goes to the subscribe function. */
  groups: string[];
  /** Per `group\0filter`: the filter's creation time and the last event id delivered through it. */
  filters: Record<string, { created: number; lastEventId?: string }>;
}

export interface LogsOptions {
  target: AwsTarget;
  account: string;
  /** Local functions by ARN: a filter whose destination is one of them is delivered to it. */
  functions: Map<string, LocalFunction>;
  /** The deployed subscribe function, if any: run for each new log group. */
  subscribe?: LocalFunction;
  scheduleRuleArn: string;
  state: LogsState;
  log(line: string): void;
}

export interface LogsWatcher {
  /** One pass: new groups, new filters, new events. Resolves to the number of deliveries made. */
  poll(): Promise<number>;
  close(): void;
}

function later(a: string, b: string | undefined): boolean {
  if (b === undefined) return true;
  // moto's event ids count up; compare them as numbers when they are, as text otherwise.
  return /^\d+$/.test(a) && /^\d+$/.test(b) ? BigInt(a) > BigInt(b) : a > b;
}

/** Splits one stream's events into deliveries the size CloudWatch Logs sends. */
export function chunkEvents(events: LogEvent[]): LogEvent[][] {
  const chunks: LogEvent[][] = [];
  let current: LogEvent[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = Buffer.byteLength(event.message) + 26;
    if (current.length > 0 && (current.length >= MAX_EVENTS || bytes + size > MAX_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(event);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Watches CloudWatch Logs the way the service and EventBridge would drive the functions: the schedule
 * rule's event once at start, a CloudTrail CreateLogGroup event per new group, a control message when a
 * filter appears, then each stream's new events that pass the filter pattern, gzipped and base64 as
 * `awslogs.data`. Invocations are asynchronous: retried twice, then written to the on-failure queue.
 *
 * @example
 * const watcher = watchLogGroups({ target, account, functions, state, log: console.log, scheduleRuleArn });
 * await watcher.poll();
 */
export function watchLogGroups(options: LogsOptions): LogsWatcher {
  const logs = new CloudWatchLogsClient(options.target);
  const sqs = new SQSClient(options.target);
  const patterns = new Map<string, Matcher>();
  let first = true;

  async function invokeAsync(fn: LocalFunction, event: unknown, what: string): Promise<boolean> {
    let last = '';
    let requestId = '';
    const attempts = 1 + Math.min(fn.fn.async.maxRetries, ASYNC_RETRY_MS.length);
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, ASYNC_RETRY_MS[attempt - 1]));
      const result = await fn.invoke(event);
      requestId = result.requestId;
      const s = result.summary;
      if (result.kind === 'ok') {
        options.log(
          `${what} -> ${fn.fn.name}: ok` +
            (s
              ? `, ${s.documents} document(s), ${s.indexed} indexed, ${s.deadLettered} dead-lettered`
              : ''),
        );
        return true;
      }
      last = result.error;
      options.log(
        `${what} -> ${fn.fn.name}: function error (attempt ${attempt + 1} of ${attempts}): ${last}`,
      );
    }
    const destination = fn.fn.async.onFailure;
    if (!destination) return false;
    const QueueUrl = await queueUrl(sqs, destination);
    const body = asyncFailureRecord(event, {
      functionArn: fn.fn.arn,
      requestId,
      invokeCount: attempts,
      error: last,
      condition: 'RetriesExhausted',
    });
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify(body) }));
    options.log(`${what}: retries exhausted -> ${destination}`);
    return false;
  }

  async function deliverGroup(group: string): Promise<number> {
    const { subscriptionFilters } = await logs.send(
      new DescribeSubscriptionFiltersCommand({ logGroupName: group }),
    );
    let deliveries = 0;
    for (const filter of subscriptionFilters ?? []) {
      const fn = options.functions.get(filter.destinationArn ?? '');
      if (!fn || !filter.filterName) continue;
      const key = `${group}\0${filter.filterName}`;
      const created = filter.creationTime ?? 0;
      let seen = options.state.filters[key];
      if (!seen || seen.created !== created) {
        seen = { created };
        options.state.filters[key] = seen;
        await invokeAsync(
          fn,
          cloudWatchLogsEvent(controlMessage()),
          `${group} filter ${filter.filterName}: control message`,
        );
        deliveries++;
      }
      const pattern = filter.filterPattern ?? '';
      let matches = patterns.get(pattern);
      if (!matches) {
        try {
          matches = compileFilterPattern(pattern);
        } catch (error) {
          // Said once; its events are passed over (CloudWatch would not have taken such a pattern).
          options.log(
            `${group} filter ${filter.filterName}: not delivered: ${(error as Error).message}`,
          );
          matches = () => false;
        }
        patterns.set(pattern, matches);
      }
      const byStream = new Map<string, LogEvent[]>();
      let lastEventId = seen.lastEventId;
      for await (const page of paginateFilterLogEvents({ client: logs }, { logGroupName: group })) {
        for (const e of page.events ?? []) {
          const id = e.eventId ?? '';
          // Only what was ingested once the filter existed, as CloudWatch Logs delivers.
          if (!later(id, seen.lastEventId) || (e.ingestionTime ?? 0) < created) continue;
          if (later(id, lastEventId)) lastEventId = id;
          const message = e.message ?? '';
          if (!matches(message)) continue;
          const stream = e.logStreamName ?? '';
          const list = byStream.get(stream) ?? [];
          list.push({
            id: logEventId(group, stream, Number(id) || list.length, e.timestamp ?? 0),
            timestamp: e.timestamp ?? 0,
            message,
          });
          byStream.set(stream, list);
        }
      }
      for (const [stream, events] of byStream) {
        for (const chunk of chunkEvents(events)) {
          const message = {
            messageType: 'DATA_MESSAGE' as const,
            owner: options.account,
            logGroup: group,
            logStream: stream,
            subscriptionFilters: [filter.filterName],
            logEvents: chunk,
          };
          await invokeAsync(
            fn,
            cloudWatchLogsEvent(message),
            `${group} ${stream}: ${chunk.length} event(s)`,
          );
          deliveries++;
        }
      }
      seen.lastEventId = lastEventId;
    }
    return deliveries;
  }

  return {
    async poll() {
      const groups: string[] = [];
      for await (const page of paginateDescribeLogGroups({ client: logs }, {}))
        for (const g of page.logGroups ?? []) if (g.logGroupName) groups.push(g.logGroupName);
      let deliveries = 0;
      const known = new Set(options.state.groups);
      if (options.subscribe) {
        // At start, what the daily schedule does: every group, including those created while the loop was down.
        if (first) {
          await invokeAsync(
            options.subscribe,
            scheduledEvent(options.account, options.target.region, options.scheduleRuleArn),
            'schedule',
          );
          deliveries++;
        } else {
          for (const group of groups.filter((g) => !known.has(g))) {
            await invokeAsync(
              options.subscribe,
              createLogGroupEvent(options.account, options.target.region, group),
              `CreateLogGroup ${group}`,
            );
            deliveries++;
          }
        }
      }
      first = false;
      options.state.groups = groups;
      for (const group of groups) deliveries += await deliverGroup(group);
      return deliveries;
    },
    close() {
      logs.destroy();
      sqs.destroy();
    },
  };
}
