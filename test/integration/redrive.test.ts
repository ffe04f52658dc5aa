// npm run redrive on Lambda on-failure records: a CloudWatch Logs event that failed every attempt, and a
// Kinesis batch that ran out of retries (read back from the stream), both through moto's SQS and Kinesis.
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  KinesisClient,
  PutRecordCommand,
} from '@aws-sdk/client-kinesis';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEvent, loadMessage } from '#test/helpers/events.ts';
import { countIds, runCli } from '#test/helpers/kinesis.ts';
import { type LocalPipeline, localPipeline } from '#test/helpers/pipeline.ts';

let p: LocalPipeline;
let sqs: SQSClient;
let queueUrl: string;

const aws = () => ({ region: process.env.AWS_REGION!, endpoint: process.env.AWS_ENDPOINT_URL! });

async function queueDepth(): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

beforeAll(async () => {
  p = await localPipeline('redrive');
  sqs = new SQSClient(aws());
  ({ QueueUrl: queueUrl = '' } = await sqs.send(
    new CreateQueueCommand({ QueueName: `${p.prefix}-failures` }),
  ));
});

afterAll(() => p.restoreEnv());

describe('redrive of on-failure destination records', () => {
  it('re-runs a CloudWatch Logs event from requestPayload and a Kinesis batch from the stream, then deletes them', async () => {
    // Prepare: what Lambda sends to the destination after the last async retry of ingestCloudwatch.
    const functionArn =
      'arn:aws:lambda:us-east-1:123456789012:function:logferry-dev-ingestCloudwatch';
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({
          version: '1.0',
          timestamp: '2025-11-20T10:05:00.000Z',
          requestContext: {
            requestId: 'e1',
            functionArn,
            condition: 'RetriesExhausted',
            approximateInvokeCount: 3,
          },
          requestPayload: loadEvent('nginx-access'),
          responseContext: {
            statusCode: 200,
            executedVersion: '$LATEST',
            functionError: 'Unhandled',
          },
          responsePayload: {
            errorType: 'DeliveryError',
            errorMessage: '6 of 6 documents not delivered',
          },
        }),
      }),
    );
    // …and a Kinesis batch whose retries ran out: the message says where it is, the stream holds the data.
    const kinesis = new KinesisClient({ ...aws(), requestHandler: new NodeHttpHandler() });
    const stream = `${p.prefix}-stream`;
    await kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 1 }));
    const { StreamDescription } = await kinesis.send(
      new DescribeStreamCommand({ StreamName: stream }),
    );
    const shardId = StreamDescription!.Shards![0]!.ShardId!;
    const seqs: string[] = [];
    for (const line of ['first line from the stream', 'second line\nthird line']) {
      const out = await kinesis.send(
        new PutRecordCommand({ StreamName: stream, PartitionKey: 'pk', Data: Buffer.from(line) }),
      );
      seqs.push(out.SequenceNumber!);
    }
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({
          requestContext: {
            requestId: 'k1',
            functionArn: `${functionArn.replace('Cloudwatch', 'Kinesis')}`,
            condition: 'RetryAttemptsExhausted',
            approximateInvokeCount: 4,
          },
          responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: null },
          version: '1.0',
          timestamp: '2025-11-20T10:06:00.000Z',
          KinesisBatchInfo: {
            shardId,
            startSequenceNumber: seqs[0],
            endSequenceNumber: seqs[1],
            approximateArrivalOfFirstRecord: '2025-11-20T10:00:00.000Z',
            approximateArrivalOfLastRecord: '2025-11-20T10:00:01.000Z',
            batchSize: 2,
            streamArn: StreamDescription!.StreamARN,
          },
        }),
      }),
    );

    // Act
    const first = await runCli('redrive', ['--queue', queueUrl]);
    const again = await runCli('redrive', ['--queue', queueUrl]);

    // Assess: 6 CloudWatch documents and 3 Kinesis lines indexed, both messages gone; a second run finds nothing.
    expect(first.code).toBe(0);
    expect(first.json).toMatchObject({
      messages: { delivered: 2, failed: 0, retry: 0, skipped: 0 },
      deletedMessages: 2,
    });
    expect(again.json).toMatchObject({ messages: { delivered: 0 }, deletedMessages: 0 });
    expect(await queueDepth()).toBe(0);
    expect(
      await countIds(
        p,
        loadMessage('nginx-access').logEvents.map((e) => e.id),
      ),
    ).toBe(6);
    expect(await p.count()).toBe(9);
  });
});
