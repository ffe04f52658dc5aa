// Decides, without any AWS call, which log groups get logferry's subscription filter and what to do to each.
import type { SubscriptionsConfig } from '#shared/config/schema.ts';
import { ConfigError } from '#shared/errors.ts';
import { matchGlob } from '#shared/glob.ts';

/** CloudWatch Logs allows two subscription filters per log group. */
export const FILTERS_PER_GROUP = 2;

/** The filter logferry wants on each selected group. */
export interface SubscriptionTarget {
  filterName: string;
  filterPattern: string;
  /** The ingest Lambda's ARN, or the Kinesis stream's. */
  destinationArn: string;
  /** Role CloudWatch Logs assumes to write to a Kinesis stream; none for Lambda. */
  roleArn?: string;
}

/** A subscription filter as DescribeSubscriptionFilters returns it. */
export interface ExistingFilter {
  filterName?: string;
  destinationArn?: string;
  filterPattern?: string;
  roleArn?: string;
}

/** `gone`: the group was deleted between listing it and reading its filters. */
export type SkipReason = 'own' | 'excluded' | 'not-included' | 'gone';

export type SubscriptionAction =
  /** No logferry filter yet and room for one. */
  | { group: string; action: 'create' }
  /** logferry's own filter (by name) points elsewhere or filters differently: put it again, same name. */
  | { group: string; action: 'update'; changes: string[] }
  | { group: string; action: 'unchanged' }
  /** Another filter (another name, e.g. one from serverless.yml) already delivers to our destination. */
  | { group: string; action: 'covered'; by: string }
  /** Two filters that are not ours: adding one would need removing another team's, which we never do. */
  | { group: string; action: 'at-limit'; filters: string[] }
  | { group: string; action: 'skip'; reason: SkipReason };

export type ActionKind = SubscriptionAction['action'];

/**
 * The pipeline's own Lambda log groups: subscribing them would feed logferry's logs back into itself.
 * Other stages' groups too: dev ingesting prod's logs while prod ingests dev's is the same loop, slower.
 */
export function ownLogGroupGlobs(service: string, stage: string): string[] {
  return [`/aws/lambda/${service}-${stage}-*`, `/aws/lambda/${service}-*`];
}

/**
 * The filter to put, checked against the configured destination kind.
 *
 * @example
 * subscriptionTarget(config.subscriptions, { destinationArn: 'arn:aws:lambda:us-east-1:1:function:logferry-prod-ingestCloudwatch' })
 */
export function subscriptionTarget(
  config: SubscriptionsConfig,
  arns: { destinationArn?: string; roleArn?: string },
): SubscriptionTarget {
  const { destinationArn, roleArn } = arns;
  const where = 'SUBSCRIPTION_DESTINATION_ARN (or --destination-arn)';
  if (!destinationArn)
    throw new ConfigError(
      `${where} is not set: the ${config.destination} logferry subscribes log groups to`,
      undefined,
      'subscriptions.destination',
    );
  const service = /^arn:[\w-]+:(lambda|kinesis):/.exec(destinationArn)?.[1];
  if (service !== config.destination) {
    throw new ConfigError(
      `subscriptions.destination is ${config.destination} but ${where} is ${service ? `a ${service}` : 'not a Lambda or Kinesis'} ARN: ${destinationArn}`,
      undefined,
      'subscriptions.destination',
    );
  }
  if (service === 'kinesis' && !roleArn) {
    throw new ConfigError(
      'a Kinesis destination needs SUBSCRIPTION_ROLE_ARN (or --role-arn): the role CloudWatch Logs assumes to put records',
      undefined,
      'subscriptions.destination',
    );
  }
  return {
    filterName: config.filter_name,
    filterPattern: config.filter_pattern,
    destinationArn,
    // A Lambda destination takes no role; passing one would fail the call.
    ...(service === 'kinesis' ? { roleArn } : {}),
  };
}

/** Whether a group is subscribed at all; own groups lose even against an explicit include. */
export function selectLogGroup(
  name: string,
  rules: Pick<SubscriptionsConfig, 'include' | 'exclude'>,
  own: readonly string[],
): Exclude<SkipReason, 'gone'> | 'selected' {
  if (own.some((g) => matchGlob(g, name))) return 'own';
  if (!rules.include.some((g) => matchGlob(g, name))) return 'not-included';
  if (rules.exclude.some((g) => matchGlob(g, name))) return 'excluded';
  return 'selected';
}

/**
 * Literal prefixes to list log groups by (DescribeLogGroups `logGroupNamePrefix`), so a run over
 * `/ecs/**` does not page through every group of the account. Undefined: list everything.
 *
 * @example
 * listingPrefixes(['/ecs/**', '/ecs/web/*', '/app/x']) // ['/app/x', '/ecs/']
 */
export function listingPrefixes(include: readonly string[]): string[] | undefined {
  const prefixes = include.map((g) => g.slice(0, g.search(/[*?]|$/)));
  if (prefixes.some((p) => p === '')) return undefined;
  const sorted = [...new Set(prefixes)].sort();
  return sorted.filter((p, i) => !sorted.slice(0, i).some((q) => p.startsWith(q)));
}

/**
 * What to do to one selected group, given the filters it has. Only a filter named
 * `target.filterName` is ever created or replaced.
 *
 * @example
 * planSubscription('/ecs/web', [], target) // { group: '/ecs/web', action: 'create' }
 */
export function planSubscription(
  group: string,
  filters: readonly ExistingFilter[],
  target: SubscriptionTarget,
): SubscriptionAction {
  const ours = filters.find((f) => f.filterName === target.filterName);
  if (ours) {
    const changes: string[] = [];
    if (ours.destinationArn !== target.destinationArn) changes.push('destination');
    if ((ours.filterPattern ?? '') !== target.filterPattern) changes.push('pattern');
    if ((ours.roleArn ?? '') !== (target.roleArn ?? '')) changes.push('role');
    return changes.length ? { group, action: 'update', changes } : { group, action: 'unchanged' };
  }
  const covering = filters.find((f) => f.destinationArn === target.destinationArn);
  if (covering) return { group, action: 'covered', by: covering.filterName ?? '(unnamed)' };
  if (filters.length >= FILTERS_PER_GROUP) {
    return { group, action: 'at-limit', filters: filters.map((f) => f.filterName ?? '(unnamed)') };
  }
  return { group, action: 'create' };
}

/** Actions that call PutSubscriptionFilter. */
export function needsPut(action: SubscriptionAction): boolean {
  return action.action === 'create' || action.action === 'update';
}

/** What triggered the subscribe function: one new log group, or a full scan (schedule, anything else). */
export type SubscribeScope =
  | { kind: 'groups'; groups: string[] }
  | { kind: 'all' }
  | { kind: 'none'; reason: string };

/**
 * Reads an EventBridge event: a CloudTrail `CreateLogGroup` call names its group; a failed call names
 * nothing; a scheduled event (or any other) asks for a full scan.
 */
export function scopeOfEvent(event: unknown): SubscribeScope {
  const e = (event ?? {}) as {
    'detail-type'?: string;
    detail?: {
      eventName?: string;
      errorCode?: string;
      requestParameters?: { logGroupName?: unknown };
    };
  };
  if (e['detail-type'] !== 'AWS API Call via CloudTrail') return { kind: 'all' };
  if (e.detail?.eventName !== 'CreateLogGroup')
    return { kind: 'none', reason: `not CreateLogGroup (${e.detail?.eventName})` };
  if (e.detail.errorCode)
    return { kind: 'none', reason: `CreateLogGroup failed (${e.detail.errorCode})` };
  const name = e.detail.requestParameters?.logGroupName;
  if (typeof name !== 'string' || name === '')
    return { kind: 'none', reason: 'CreateLogGroup event without logGroupName' };
  return { kind: 'groups', groups: [name] };
}

export function countActions(
  actions: readonly { action: ActionKind }[],
): Record<ActionKind, number> {
  const counts: Record<ActionKind, number> = {
    create: 0,
    update: 0,
    unchanged: 0,
    covered: 0,
    'at-limit': 0,
    skip: 0,
  };
  for (const a of actions) counts[a.action]++;
  return counts;
}
