// Points the S3 source buckets' ObjectCreated notifications at logferry's queue, keeping every other notification of the bucket as it is.
import {
  GetBucketNotificationConfigurationCommand,
  type NotificationConfiguration,
  PutBucketNotificationConfigurationCommand,
  type QueueConfiguration,
  type S3Client,
} from '@aws-sdk/client-s3';
import { errorMessage } from '#shared/errors.ts';

export interface NotifyTarget {
  /** The queue ingestS3 reads (serverless.yml output S3SourceQueueArn). */
  queueArn: string;
  /** Key prefix to announce ('' for every key). */
  prefix: string;
  /** Id of logferry's entry in the bucket's configuration: the only one this ever changes. */
  id: string;
}

export interface NotifyPlan {
  config: NotificationConfiguration;
  change: 'created' | 'updated' | 'unchanged';
  /** Another notification of the bucket S3 would see as overlapping ours: nothing is written. */
  conflict?: string;
}

type Entry = { Id?: string; Events?: string[]; Filter?: QueueConfiguration['Filter'] };

function rule(entry: Entry, name: 'prefix' | 'suffix'): string {
  const r = entry.Filter?.Key?.FilterRules?.find((f) => f.Name?.toLowerCase() === name);
  return r?.Value ?? '';
}

/** S3 refuses two entries whose event types and key filters overlap (one prefix starts the other, one suffix ends the other). */
function overlaps(a: Entry, b: Entry): boolean {
  const created = (e: Entry) => (e.Events ?? []).some((t) => t.startsWith('s3:ObjectCreated:'));
  if (!created(a) || !created(b)) return false;
  const [pa, pb, sa, sb] = [
    rule(a, 'prefix'),
    rule(b, 'prefix'),
    rule(a, 'suffix'),
    rule(b, 'suffix'),
  ];
  return (pa.startsWith(pb) || pb.startsWith(pa)) && (sa.endsWith(sb) || sb.endsWith(sa));
}

function same(a: QueueConfiguration, b: QueueConfiguration): boolean {
  return (
    a.QueueArn === b.QueueArn &&
    rule(a, 'prefix') === rule(b, 'prefix') &&
    JSON.stringify(a.Events) === JSON.stringify(b.Events)
  );
}

/**
 * The bucket's notification configuration with logferry's entry (by `id`) added or brought up to
 * date, and every other entry left as it was; a conflict when another entry would overlap it.
 *
 * @example
 * planBucketNotification(existing, { queueArn, prefix: 'AWSLogs/', id: 'logferry-prod' }).change // 'created'
 */
export function planBucketNotification(
  existing: NotificationConfiguration,
  target: NotifyTarget,
): NotifyPlan {
  const ours: QueueConfiguration = {
    Id: target.id,
    QueueArn: target.queueArn,
    Events: ['s3:ObjectCreated:*'],
    ...(target.prefix
      ? { Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: target.prefix }] } } }
      : {}),
  };
  const queues = existing.QueueConfigurations ?? [];
  const current = queues.find((q) => q.Id === target.id);
  const others: Entry[] = [
    ...queues.filter((q) => q.Id !== target.id),
    ...(existing.TopicConfigurations ?? []),
    ...(existing.LambdaFunctionConfigurations ?? []),
  ];
  const clash = others.find((o) => overlaps(o, ours));
  const config: NotificationConfiguration = {
    ...existing,
    QueueConfigurations: [...queues.filter((q) => q.Id !== target.id), ours],
  };
  if (clash)
    return {
      config: existing,
      change: 'unchanged',
      conflict: `notification ${clash.Id ?? '(no id)'} already sends ObjectCreated events for keys overlapping '${target.prefix}'`,
    };
  if (current && same(current, ours)) return { config: existing, change: 'unchanged' };
  return { config, change: current ? 'updated' : 'created' };
}

export interface NotifyResult {
  bucket: string;
  status: NotifyPlan['change'] | 'conflict' | 'failed';
  error?: string;
}

/**
 * Reads each bucket's notification configuration, adds or updates logferry's entry, writes it back
 * only when it changed (with `dryRun`, never).
 *
 * @example
 * await notifyBuckets(s3, ['my-alb-logs'], { queueArn, prefix: 'AWSLogs/', id: 'logferry-prod' });
 */
export async function notifyBuckets(
  s3: S3Client,
  buckets: readonly string[],
  target: NotifyTarget,
  opts: { dryRun?: boolean } = {},
): Promise<NotifyResult[]> {
  const out: NotifyResult[] = [];
  for (const bucket of buckets) {
    try {
      const got = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
      const { $metadata: _meta, ...existing } = got;
      const plan = planBucketNotification(existing, target);
      if (plan.conflict) {
        out.push({ bucket, status: 'conflict', error: plan.conflict });
        continue;
      }
      if (plan.change !== 'unchanged' && !opts.dryRun)
        await s3.send(
          new PutBucketNotificationConfigurationCommand({
            Bucket: bucket,
            NotificationConfiguration: plan.config,
          }),
        );
      out.push({ bucket, status: plan.change });
    } catch (err) {
      out.push({ bucket, status: 'failed', error: errorMessage(err) });
    }
  }
  return out;
}
