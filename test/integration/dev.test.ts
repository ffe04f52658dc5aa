// npm run dev against the deployed local stack: PutLogEvents and PutRecords land in OpenSearch through the real handlers,
// a poison Kinesis record goes through its retries to the on-failure queue, and Ctrl-C stops the loop.
import { randomUUID } from 'node:crypto';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeSubscriptionFiltersCommand,
  PutLogEventsCommand,
  PutSubscriptionFilterCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Deployment, readDeployment } from '#scripts/dev/deployed.ts';
import { localEnv } from '#scripts/local/stack.ts';
import {
  type DevProcess,
  deployLocal,
  eventually,
  removeLocal,
  startDev,
  target,
} from '#test/helpers/local-deploy.ts';

const OPENSEARCH = localEnv().OPENSEARCH_URL ?? 'http://127.0.0.1:9200';
const run = randomUUID().slice(0, 8);
// A day no other test writes to: its index refuses writes with 429, so its records are retried.
const POISON_INDEX = 'logs-application-2001.01.01';

async function os(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${OPENSEARCH}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as Record<string, unknown>;
}

async function docsWith(marker: string): Promise<Record<string, unknown>[]> {
  await os('POST', '/logs-*/_refresh');
  const found = await os('POST', '/logs-*/_search', {
    size: 50,
    query: { match_phrase: { message: marker } },
  });
  const hits = (found.hits as { hits?: { _source: Record<string, unknown> }[] } | undefined)?.hits;
  return (hits ?? []).map((h) => h._source);
}

describe('npm run dev', () => {
  let deployment: Deployment;
  let dev: DevProcess;
  const logs = new CloudWatchLogsClient(target());
  // HTTP/1.1: moto does not speak the client's default HTTP/2.
  const kinesis = new KinesisClient({ ...target(), requestHandler: new NodeHttpHandler() });
  const sqs = new SQSClient(target());

  beforeAll(async () => {
    // Short timeout: a failing batch gives up on OpenSearch after 3 s, not 57; two retries, not ten.
    await deployLocal({ ingestTimeoutSeconds: 6, kinesisMaximumRetryAttempts: 2 });
    deployment = await readDeployment(target());
    await os('DELETE', `/${POISON_INDEX}`);
    await os('PUT', `/${POISON_INDEX}`, {
      settings: { 'index.blocks.read_only_allow_delete': true },
    });
    dev = startDev();
    await dev.waitFor(/delivering: logferry-local-logs/);
  }, 300_000);

  afterAll(async () => {
    await dev?.stop();
    await os('DELETE', `/${POISON_INDEX}`);
    await removeLocal();
    for (const c of [logs, kinesis, sqs]) c.destroy();
  }, 180_000);

  it('subscribes a new log group (subscribe function) and delivers its events, filter pattern applied', async () => {
    // Prepare: a group logferry.yml's subscriptions include
    const group = `/ecs/dev-${run}`;
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    const filter = await eventually('the subscribe function to put its filter', async () => {
      const { subscriptionFilters } = await logs.send(
        new DescribeSubscriptionFiltersCommand({ logGroupName: group }),
      );
      return subscriptionFilters?.[0];
    });
    expect(filter.destinationArn).toContain(':function:logferry-local-ingestCloudwatch');
    await dev.waitFor(new RegExp(`${group} filter logferry: control message -> .*: ok`));
    // Act
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 'web-1' }));
    const now = Date.now();
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: group,
        logStreamName: 'web-1',
        logEvents: [1, 2, 3].map((i) => ({
          timestamp: now + i,
          message: `{"level":"info","msg":"cwl ${run} line ${i}"}`,
        })),
      }),
    );
    // Assess
    const docs = await eventually('3 documents in OpenSearch', async () => {
      const found = await docsWith(`cwl ${run}`);
      return found.length === 3 ? found : undefined;
    });
    for (const doc of docs) {
      expect(doc).toMatchObject({ aws: { cloudwatch: { log_group: group, log_stream: 'web-1' } } });
      // CloudWatch's form of id, not moto's counter.
      expect((doc.event as { id: string }).id).toMatch(/^\d{56}$/);
    }
    expect(dev.lines.some((l) => l.includes(`${group} web-1: 3 event(s)`))).toBe(true);
  });

  it("applies a filter's pattern before delivering", async () => {
    // Prepare: a group outside the subscriptions, with a JSON pattern of our own
    const group = `/other/dev-${run}`;
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    await logs.send(
      new PutSubscriptionFilterCommand({
        logGroupName: group,
        filterName: 'errors-only',
        filterPattern: '{ $.level = "error" && $.status >= 500 }',
        destinationArn: deployment.functions.find((f) => f.name.endsWith('-ingestCloudwatch'))?.arn,
      }),
    );
    await dev.waitFor(new RegExp(`${group} filter errors-only: control message`));
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 's' }));
    // Act
    const now = Date.now();
    const lines = [
      { level: 'error', status: 503, msg: `pattern ${run} kept` },
      { level: 'error', status: 404, msg: `pattern ${run} dropped` },
      { level: 'info', status: 500, msg: `pattern ${run} dropped too` },
    ];
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: group,
        logStreamName: 's',
        logEvents: lines.map((l, i) => ({ timestamp: now + i, message: JSON.stringify(l) })),
      }),
    );
    // Assess
    await dev.waitFor(new RegExp(`${group} s: 1 event\\(s\\) -> .*: ok`));
    const docs = await eventually('the matching line', async () => {
      const found = await docsWith(`pattern ${run}`);
      return found.length > 0 ? found : undefined;
    });
    expect(docs.map((d) => d.message)).toEqual([`pattern ${run} kept`]);
  });

  it('delivers stream records, and sends a poison record through its retries to the on-failure queue', async () => {
    // Prepare
    const streamArn = deployment.outputs.LogStreamArn;
    const queueUrl = deployment.outputs.FailureQueueUrl;
    expect(streamArn, JSON.stringify(deployment.outputs)).toMatch(/:stream\/logferry-local-logs$/);
    const good = [1, 2].map((i) => `kinesis ${run} record ${i}`);
    const poison = JSON.stringify({
      time: '2001-01-01T00:00:00Z',
      level: 'info',
      msg: `poison ${run}`,
    });
    // Act: one PutRecords, one shard: the poison record is last of the batch
    const put = await kinesis.send(
      new PutRecordsCommand({
        StreamARN: streamArn,
        Records: [...good, poison].map((line) => ({ Data: Buffer.from(line), PartitionKey: 'p' })),
      }),
    );
    const poisonSeq = put.Records?.[2]?.SequenceNumber;
    // Assess: the good records are indexed once the first invocation is done
    await eventually('both good records in OpenSearch', async () =>
      (await docsWith(`kinesis ${run}`)).length === 2 ? true : undefined,
    );
    const message = await eventually(
      'the on-failure record',
      async () => {
        const { Messages } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            WaitTimeSeconds: 1,
            MaxNumberOfMessages: 10,
          }),
        );
        return Messages?.map((m) => JSON.parse(m.Body ?? '{}')).find(
          (b) => b.KinesisBatchInfo?.startSequenceNumber === poisonSeq,
        );
      },
      90_000,
    );
    expect(message).toMatchObject({
      requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 },
      KinesisBatchInfo: {
        shardId: 'shardId-000000000000',
        startSequenceNumber: poisonSeq,
        endSequenceNumber: poisonSeq,
        batchSize: 1,
        streamArn,
      },
    });
    expect(message.requestContext.functionArn).toMatch(/:function:logferry-local-ingestKinesis$/);
    expect(dev.lines.some((l) => /partial, 2 of 3 checkpointed/.test(l))).toBe(true);
    expect(await docsWith(`poison ${run}`)).toEqual([]);
  });

  it('stops on Ctrl-C', async () => {
    const code = await dev.stop();
    expect(code, dev.lines.slice(-30).join('\n')).toBe(0);
    expect(dev.lines.some((l) => l.includes('stopping'))).toBe(true);
  });
});
