// The bucket notification plan: logferry's entry added or updated by id, others kept, overlaps refused.
import type { NotificationConfiguration } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { planBucketNotification } from '#shared/ops/s3-notify.ts';

const target = {
  queueArn: 'arn:aws:sqs:us-east-1:123456789012:logferry-prod-s3',
  prefix: 'AWSLogs/',
  id: 'logferry-prod',
};
const prefixed = (id: string, arn: string, prefix: string) => ({
  Id: id,
  QueueArn: arn,
  Events: ['s3:ObjectCreated:*' as const],
  Filter: { Key: { FilterRules: [{ Name: 'prefix' as const, Value: prefix }] } },
});

describe('planBucketNotification', () => {
  it('adds logferry to a bucket with none, and changes nothing the second time', () => {
    const first = planBucketNotification({}, target);
    expect(first.change).toBe('created');
    expect(first.config.QueueConfigurations).toEqual([
      prefixed('logferry-prod', target.queueArn, 'AWSLogs/'),
    ]);
    expect(planBucketNotification(first.config, target)).toEqual({
      config: first.config,
      change: 'unchanged',
    });
  });

  it('keeps the other notifications of the bucket and updates its own entry in place', () => {
    const existing: NotificationConfiguration = {
      QueueConfigurations: [
        prefixed('logferry-prod', 'arn:aws:sqs:us-east-1:123456789012:old', 'AWSLogs/'),
        prefixed('team-q', 'arn:aws:sqs:us-east-1:1:q', 'uploads/'),
      ],
      LambdaFunctionConfigurations: [
        {
          Id: 'thumbs',
          LambdaFunctionArn: 'arn:aws:lambda:us-east-1:1:function:t',
          Events: ['s3:ObjectRemoved:*'],
        },
      ],
      EventBridgeConfiguration: {},
    };
    const plan = planBucketNotification(existing, target);
    expect(plan.change).toBe('updated');
    expect(plan.config.LambdaFunctionConfigurations).toEqual(existing.LambdaFunctionConfigurations);
    expect(plan.config.EventBridgeConfiguration).toEqual({});
    expect(plan.config.QueueConfigurations!.map((q) => [q.Id, q.QueueArn])).toEqual([
      ['team-q', 'arn:aws:sqs:us-east-1:1:q'],
      ['logferry-prod', target.queueArn],
    ]);
  });

  it('refuses to add an entry that overlaps another ObjectCreated notification, and leaves the bucket as it was', () => {
    const existing: NotificationConfiguration = {
      TopicConfigurations: [
        { Id: 'all-new', TopicArn: 'arn:aws:sns:us-east-1:1:t', Events: ['s3:ObjectCreated:Put'] },
      ],
    };
    const plan = planBucketNotification(existing, target);
    expect(plan.conflict).toMatch(/all-new/);
    expect(plan.config).toBe(existing);
    // A different prefix does not overlap.
    expect(
      planBucketNotification({ QueueConfigurations: [prefixed('x', 'arn:q', 'other/')] }, target)
        .conflict,
    ).toBeUndefined();
  });
});
