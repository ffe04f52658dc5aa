// Backfill from moto's CloudWatch Logs into the real local OpenSearch and moto's S3, next to live deliveries.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  FilterLogEventsCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCloudWatchLogsClient } from '#shared/clients/cloudwatch-logs.ts';
import { ingestEnv, readEnv } from '#shared/config/env.ts';
import { loadConfig } from '#shared/config/yaml.ts';
import type { CloudWatchLogsMessage } from '#shared/decode/cloudwatch-logs.ts';
import { type BackfillReport, backfillLogGroup } from '#shared/ops/backfill.ts';
import { createRuntime } from '#shared/runtime.ts';
import { awslogsEvent, ROOT } from '#test/helpers/events.ts';
import { type LocalPipeline, localPipeline } from '#test/helpers/pipeline.ts';

let p: LocalPipeline;
let logs: ReturnType<typeof createCloudWatchLogsClient>;
const group = `/it-bf-${process.pid}-${Date.now().toString(36)}/app`;
// Whole seconds in the past: the range below must hold every event.
const t0 = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;
const range = { startMs: t0 - 60_000, endMs: t0 + 600_000 };

const TRACE = [
  '2025-11-20 10:00:00.000 ERROR 1 --- [main] c.e.Checkout : payment failed',
  'java.lang.IllegalStateException: card declined',
  '\tat com.example.Checkout.pay(Checkout.java:42)',
  '\tat com.example.Checkout.run(Checkout.java:17)',
];
const streams: Record<string, string[]> = {
  'web-1': [
    ...TRACE,
    ...Array.from({ length: 60 }, (_, i) => `{"level":"info","msg":"request ${i}"}`),
  ],
  'web-2': Array.from(
    { length: 80 },
    (_, i) =>
      `203.0.113.${i % 250} - - [20/Nov/2025:10:00:00 +0000] "GET /p/${i} HTTP/1.1" 200 ${i} "-" "curl/8"`,
  ),
};

async function allEvents(stream?: string) {
  const out: { eventId?: string; timestamp?: number; message?: string; logStreamName?: string }[] =
    [];
  let nextToken: string | undefined;
  do {
    const page = await logs.send(
      new FilterLogEventsCommand({
        logGroupName: group,
        logStreamNames: stream ? [stream] : undefined,
        nextToken,
      }),
    );
    out.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

async function backfill(pageSize: number): Promise<BackfillReport> {
  const env = ingestEnv(readEnv(process.env));
  const config = loadConfig(env.configFile);
  const { sinks } = createRuntime(env, config, { alerts: false });
  return backfillLogGroup(logs, {
    logGroup: group,
    ...range,
    config,
    sinks,
    region: env.region,
    pageSize,
  });
}

beforeAll(async () => {
  p = await localPipeline('bf');
  logs = createCloudWatchLogsClient({
    region: process.env.AWS_REGION,
    endpoint: process.env.AWS_ENDPOINT_URL,
  });
  await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
  for (const [stream, lines] of Object.entries(streams)) {
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
    const logEvents = lines.map((message, i) => ({
      timestamp: t0 + i * 1000 + (stream === 'web-2' ? 500 : 0),
      message,
    }));
    await logs.send(
      new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents }),
    );
  }
});

afterAll(() => p.restoreEnv());

describe('backfill', () => {
  let liveIds: string[];
  let firstKeys: string[];

  it('live delivery first: web-1 arrives through the subscription handler with its CloudWatch ids', async () => {
    // Prepare: the subscription message CloudWatch Logs would have sent for web-1.
    const events = await allEvents('web-1');
    const message: CloudWatchLogsMessage = {
      messageType: 'DATA_MESSAGE',
      owner: '123456789012',
      logGroup: group,
      logStream: 'web-1',
      subscriptionFilters: ['logferry'],
      logEvents: events.map((e) => ({
        id: e.eventId ?? '',
        timestamp: e.timestamp ?? 0,
        message: e.message ?? '',
      })),
    };
    liveIds = message.logEvents.map((e) => e.id);
    // Act
    const summary = await p.invoke(awslogsEvent(message));
    // Assess: the four trace lines became one document.
    expect(summary).toMatchObject({ events: 64, documents: 61, indexed: 61, retry: 0 });
    expect(await p.count()).toBe(61);
  });

  it('indexes the whole history, page by page, without duplicating what was delivered live', async () => {
    // Act
    const report = await backfill(50);
    // Assess
    expect(report.incomplete).toBeUndefined();
    expect(report.pages).toBeGreaterThanOrEqual(3);
    expect(report).toMatchObject({ events: 144, documents: 141, indexed: 141, deadLettered: 0 });
    expect(await p.count()).toBe(141);
    // The merged trace kept the id of its first event, as on the live path.
    const { body } = await p.opensearch.search({
      index: `${p.prefix}-*`,
      body: { query: { term: { 'event.id': liveIds[0] } } },
    });
    expect(body.hits.hits).toHaveLength(1);
    expect(body.hits.hits[0]?._id).toBe(liveIds[0]);
    expect(body.hits.hits[0]?._source).toMatchObject({
      aws: { cloudwatch: { log_group: group, log_stream: 'web-1' } },
      cloud: { account: { id: '123456789012' } },
      error: { type: 'java.lang.IllegalStateException' },
    });
    firstKeys = (await p.listKeys('archive/')).sort();
  });

  it('a second run adds nothing: same documents, same archive objects', async () => {
    const report = await backfill(50);
    expect(report.indexed).toBe(141);
    expect(await p.count()).toBe(141);
    expect((await p.listKeys('archive/')).sort()).toEqual(firstKeys);
  });

  it('npm run backfill -- --json reports the run as one line', async () => {
    const start = new Date(range.startMs).toISOString();
    const end = new Date(range.endMs).toISOString();
    const { stdout } = await promisify(execFile)(
      'npx',
      [
        'tsx',
        'scripts/backfill.ts',
        '--log-group',
        group,
        '--start',
        start,
        '--end',
        end,
        '--json',
      ],
      { cwd: ROOT, env: process.env },
    );
    const report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
    expect(report).toMatchObject({ logGroup: group, events: 144, indexed: 141 });
    expect(await p.count()).toBe(141);
  });
});
