// Applies the subscription plan: lists log groups, reads their filters, puts logferry's filter where the plan says.
import {
  type CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  type DescribeLogGroupsCommandOutput,
  DescribeSubscriptionFiltersCommand,
  PutSubscriptionFilterCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import type { SubscriptionsConfig } from '#shared/config/schema.ts';
import { errorMessage } from '#shared/errors.ts';
import {
  type ActionKind,
  countActions,
  type ExistingFilter,
  listingPrefixes,
  needsPut,
  planSubscription,
  type SubscribeScope,
  type SubscriptionAction,
  type SubscriptionTarget,
  selectLogGroup,
} from './subscribe-plan.ts';
import { type ThrottleOptions, withThrottleRetry } from './throttle.ts';

type Logs = Pick<CloudWatchLogsClient, 'send'>;

export interface SubscribeOptions {
  config: SubscriptionsConfig;
  target: SubscriptionTarget;
  /** Globs of the pipeline's own log groups, never subscribed. */
  own: readonly string[];
  scope: SubscribeScope;
  dryRun: boolean;
  /** Groups worked on at once; CloudWatch Logs allows about 5 Describe/PutSubscriptionFilter calls a second. */
  concurrency?: number;
  throttle?: ThrottleOptions;
}

/** One group's planned action and what came of it. */
export type SubscribeResult = SubscriptionAction & {
  /** PutSubscriptionFilter was called and answered (never in a dry run). */
  applied: boolean;
  error?: string;
};

export interface SubscribeReport {
  dryRun: boolean;
  /** Log groups listed (or named by the event). */
  listed: number;
  counts: Record<ActionKind, number>;
  /** Filters put (created or updated). */
  applied: number;
  failed: number;
  /** Every group's result, skipped ones included. */
  results: SubscribeResult[];
}

/** Log group names, paginated, listed by the include globs' literal prefixes when they have some. */
export async function listLogGroups(
  logs: Logs,
  include: readonly string[],
  throttle?: ThrottleOptions,
): Promise<string[]> {
  const names = new Set<string>();
  for (const prefix of listingPrefixes(include) ?? [undefined]) {
    let nextToken: string | undefined;
    do {
      const page: DescribeLogGroupsCommandOutput = await withThrottleRetry(
        'DescribeLogGroups',
        () =>
          logs.send(
            new DescribeLogGroupsCommand({ logGroupNamePrefix: prefix, nextToken, limit: 50 }),
          ),
        throttle,
      );
      for (const g of page.logGroups ?? []) if (g.logGroupName) names.add(g.logGroupName);
      nextToken = page.nextToken;
    } while (nextToken);
  }
  return [...names].sort();
}

/** Every subscription filter of a group; undefined when the group no longer exists. */
export async function describeFilters(
  logs: Logs,
  group: string,
  throttle?: ThrottleOptions,
): Promise<ExistingFilter[] | undefined> {
  const filters: ExistingFilter[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await withThrottleRetry(
        'DescribeSubscriptionFilters',
        () => logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: group, nextToken })),
        throttle,
      );
      filters.push(...(page.subscriptionFilters ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (err) {
    if ((err as Error).name === 'ResourceNotFoundException') return undefined;
    throw err;
  }
  return filters;
}

async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  // One iterator shared by the workers: each takes the next item when it is free.
  const queue = items.entries();
  const worker = async () => {
    for (const [i, item] of queue) out[i] = await fn(item);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

async function subscribeOne(
  logs: Logs,
  group: string,
  opts: SubscribeOptions,
): Promise<SubscribeResult> {
  let action: SubscriptionAction | undefined;
  try {
    const filters = await describeFilters(logs, group, opts.throttle);
    // Deleted between listing and now: nothing to subscribe, and not a failure.
    if (!filters) return { group, action: 'skip', reason: 'gone', applied: false };
    action = planSubscription(group, filters, opts.target);
    if (!needsPut(action) || opts.dryRun) return { ...action, applied: false };
    const { target } = opts;
    await withThrottleRetry(
      'PutSubscriptionFilter',
      () =>
        logs.send(
          new PutSubscriptionFilterCommand({
            logGroupName: group,
            filterName: target.filterName,
            filterPattern: target.filterPattern,
            destinationArn: target.destinationArn,
            ...(target.roleArn ? { roleArn: target.roleArn } : {}),
          }),
        ),
      opts.throttle,
    );
    return { ...action, applied: true };
  } catch (err) {
    return { ...(action ?? { group, action: 'create' }), applied: false, error: errorMessage(err) };
  }
}

/**
 * Lists the groups in scope, plans each one and, unless it is a dry run, puts logferry's filter where
 * the plan says create or update. One group's failure never stops the others; it is in `results`.
 *
 * @example
 * const report = await subscribeLogGroups(logs, { config: config.subscriptions, target, own, scope: { kind: 'all' }, dryRun: true });
 */
export async function subscribeLogGroups(
  logs: Logs,
  opts: SubscribeOptions,
): Promise<SubscribeReport> {
  const { scope } = opts;
  const names =
    scope.kind === 'all'
      ? await listLogGroups(logs, opts.config.include, opts.throttle)
      : scope.kind === 'groups'
        ? scope.groups
        : [];
  const results: SubscribeResult[] = [];
  const selected: string[] = [];
  for (const group of names) {
    const selection = selectLogGroup(group, opts.config, opts.own);
    if (selection === 'selected') selected.push(group);
    else results.push({ group, action: 'skip', reason: selection, applied: false });
  }
  results.push(
    ...(await mapLimit(selected, opts.concurrency ?? 2, (g) => subscribeOne(logs, g, opts))),
  );
  results.sort((a, b) => a.group.localeCompare(b.group));
  return {
    dryRun: opts.dryRun,
    listed: names.length,
    counts: countActions(results),
    applied: results.filter((r) => r.applied).length,
    failed: results.filter((r) => r.error !== undefined).length,
    results,
  };
}

/**
 * The log line a result deserves, if any: failures as errors, groups at the two-filter limit as
 * warnings, filters put as info; unchanged and skipped groups say nothing.
 *
 * @example
 * for (const r of report.results) { const line = resultLogLine(r); if (line) logger[line.level](line.message, line.fields); }
 */
export function resultLogLine(
  r: SubscribeResult,
):
  | { level: 'error' | 'warn' | 'info'; message: string; fields: Record<string, unknown> }
  | undefined {
  if (r.error)
    return {
      level: 'error',
      message: 'log group not subscribed',
      fields: { logGroup: r.group, action: r.action, error: r.error },
    };
  if (r.action === 'at-limit')
    return {
      level: 'warn',
      message: 'log group already has two subscription filters; not subscribed',
      fields: { logGroup: r.group, filters: r.filters },
    };
  if (r.applied)
    return {
      level: 'info',
      message: 'log group subscribed',
      fields: { logGroup: r.group, action: r.action },
    };
  return undefined;
}
