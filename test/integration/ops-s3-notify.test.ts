// npm run s3:notify's work against moto's S3 and SQS: the notification written once, kept on a second run, an overlap refused.
import {
  CreateBucketCommand,
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localEnv } from '#scripts/local/stack.ts';
import { createS3Client } from '#shared/clients/s3.ts';
import { notifyBuckets } from '#shared/ops/s3-notify.ts';

const env = localEnv();
const credentials = {
  accessKeyId: env.AWS_ACCESS_KEY_ID!,
  secretAccessKey: env.AWS_SECRET_ACCESS_KEY!,
};
let s3: ReturnType<typeof createS3Client>;
let sqs: SQSClient;
let queueArn: string;
const buckets = [`it-notify-a-${process.pid}`, `it-notify-b-${process.pid}`];

beforeAll(async () => {
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  });
  s3 = createS3Client({ region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL });
  sqs = new SQSClient({ region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL, credentials });
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: `it-notify-${process.pid}` }),
  );
  const attrs = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  queueArn = attrs.Attributes!.QueueArn!;
  for (const b of buckets) await s3.send(new CreateBucketCommand({ Bucket: b }));
});

afterAll(() => {
  s3.destroy();
  sqs.destroy();
});

describe('notifyBuckets', () => {
  it('adds the queue notification, keeps it unchanged on a second run, refuses a bucket with an overlapping one', async () => {
    // Prepare: the second bucket already sends every new object to another queue.
    const other = {
      Id: 'someone-else',
      QueueArn: queueArn,
      Events: ['s3:ObjectCreated:*' as const],
    };
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: buckets[1],
        NotificationConfiguration: { QueueConfigurations: [other] },
      }),
    );
    const target = { queueArn, prefix: 'AWSLogs/', id: 'logferry-it' };
    // Act
    const first = await notifyBuckets(s3, buckets, target);
    const second = await notifyBuckets(s3, buckets, target);
    // Assess
    expect(first.map((r) => r.status)).toEqual(['created', 'conflict']);
    expect(second.map((r) => r.status)).toEqual(['unchanged', 'conflict']);
    const a = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: buckets[0] }));
    expect(a.QueueConfigurations).toMatchObject([
      { Id: 'logferry-it', QueueArn: queueArn, Events: ['s3:ObjectCreated:*'] },
    ]);
    const b = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: buckets[1] }));
    expect(b.QueueConfigurations!.map((q) => q.Id)).toEqual(['someone-else']);
  });
});
