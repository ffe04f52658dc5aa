// The S3 source: notifications to objects to documents, corrupt and missing objects, failures to retry, slicing and resume.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '#shared/config/file.ts';
import { sqsResponse } from '#shared/pipeline/outcome.ts';
import { createRecordingSinks } from '#shared/sinks/recording.ts';
import type { IndexResult } from '#shared/sinks/types.ts';
import { ingestS3 } from '#shared/sources/s3.ts';
import { s3EventId } from '#shared/sources/s3-lines.ts';
import { memoryObjectStore, s3Notification, sqsEvent } from '#test/helpers/s3-objects.ts';

/** What Lambda reads of the answer: the SQS partial batch response beside the result. */
async function ingestS3WithResponse(...args: Parameters<typeof ingestS3>) {
  const result = await ingestS3(...args);
  return { ...result, response: sqsResponse(result.messageIds, result.report) };
}

const config = parseConfig({ version: 1 });
const deadline = () => Date.now() + 60_000;
const BUCKET = 'logs-bucket';
const ALB_KEY =
  'AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2025/11/20/123456789012_elasticloadbalancing_eu-west-1_app.my-lb.1234_20251120T1005Z_10.0.0.1_abc.log.gz';
const albLine = (i: number) =>
  `https 2025-11-20T10:0${i % 10}:00.000000Z app/my-lb/1234 10.0.0.${i % 250}:4000${i % 10} 10.0.1.1:80 0.001 0.002 0.001 ${i % 7 === 0 ? 503 : 200} 200 120 512 "GET https://shop.example.com:443/item/${i} HTTP/1.1" "curl/8.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/t/1 "Root=1-${i}" "shop.example.com" "-" 1 2025-11-20T10:00:00.000000Z "forward" "-" "-" "10.0.1.1:80" "200" "-" "-" TID_${i}`;
const albObject = (n: number) =>
  gzipSync(`${Array.from({ length: n }, (_, i) => albLine(i)).join('\n')}\n`);

describe('ingestS3', () => {
  it('indexes a gzip ALB object as typed documents with the object on each, ids from bucket, key, etag and line', async () => {
    // Prepare
    const objects = memoryObjectStore({ [ALB_KEY]: albObject(20) }, { chunk: 97 });
    const sinks = createRecordingSinks();
    const event = sqsEvent([s3Notification(BUCKET, ALB_KEY)]);
    // Act
    const { report, response, trigger } = await ingestS3WithResponse(
      event,
      { config, sinks, objects },
      deadline(),
    );
    // Assess
    expect(trigger).toBe('sqs');
    expect(response.batchItemFailures).toEqual([]);
    expect(report).toMatchObject({ documents: 20, indexed: 20, archived: 20, deadLettered: 0 });
    const doc = sinks.indexed[0]!;
    expect(doc.index).toBe('logs-access-2025.11.20');
    expect(doc.doc).toMatchObject({
      event: {
        dataset: 'aws.elb',
        id: s3EventId({ bucket: BUCKET, key: ALB_KEY, etag: 'etag-1', eventTime: 0 }, 1),
      },
      log: { type: 'access' },
      aws: {
        s3: { bucket: { name: BUCKET }, object: { key: ALB_KEY } },
        elb: { name: 'app/my-lb/1234' },
      },
      cloud: { account: { id: '123456789012' }, region: 'eu-west-1' },
      http: { response: { status_code: 503 } },
    });
    expect(doc.doc).not.toHaveProperty('aws.cloudwatch');
    expect(new Set(sinks.indexed.map((r) => r.doc.event.id)).size).toBe(20);
    expect(sinks.archived[0]!.key).toMatch(
      /^archive\/log_type=access\/dt=2025-11-20\/hour=10\/logs-bucket\//,
    );
  });

  it('dead-letters a corrupt object with its reason and acknowledges it and the rest of the batch', async () => {
    const good = albObject(5);
    const objects = memoryObjectStore({
      [ALB_KEY]: good,
      'AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2025/11/20/broken.log.gz': good.subarray(
        0,
        good.length - 12,
      ),
    });
    const sinks = createRecordingSinks();
    const event = sqsEvent([
      s3Notification(BUCKET, ALB_KEY),
      s3Notification(
        BUCKET,
        'AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2025/11/20/broken.log.gz',
      ),
      'not a notification',
    ]);
    const { report, response } = await ingestS3WithResponse(
      event,
      { config, sinks, objects },
      deadline(),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(report.outcomes.get('m1')).toBe('ok');
    expect(report.outcomes.get('m2')).toBe('dead-letter');
    expect(report.outcomes.get('m3')).toBe('dead-letter');
    const entries = sinks.deadLetters.flatMap((d) => d.entries);
    expect(entries).toMatchObject([
      { recordId: 'm2', reason: 'decode_gzip', source: { trigger: 's3', bucket: BUCKET } },
      { recordId: 'm3', reason: 'decode_shape', raw: 'not a notification' },
    ]);
    expect(entries[0]!.error).toMatch(/broken\.log\.gz: invalid gzip data/);
  });

  it('names for retry a message whose download fails or whose documents the index refuses for now', async () => {
    const other = ALB_KEY.replace('abc', 'def');
    const objects = memoryObjectStore(
      { [ALB_KEY]: albObject(3), [other]: albObject(3) },
      { fail: { [other]: new Error('socket hang up') } },
    );
    const sinks = createRecordingSinks();
    const event = sqsEvent([s3Notification(BUCKET, ALB_KEY), s3Notification(BUCKET, other)]);
    const first = await ingestS3WithResponse(event, { config, sinks, objects }, deadline());
    expect(first.response.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }]);
    expect(first.report.errors[0]).toMatch(/socket hang up/);
    // The index answering 429 until the deadline: both messages come back.
    const busy = createRecordingSinks();
    busy.index.index = async (items) =>
      items.map((): IndexResult => ({ status: 'retry', error: 'HTTP 429' }));
    const second = await ingestS3WithResponse(
      sqsEvent([s3Notification(BUCKET, ALB_KEY)]),
      { config, sinks: busy, objects },
      deadline(),
    );
    expect(second.response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
  });

  it('acknowledges test events, objects overwritten since, and digests; dead-letters objects deleted since', async () => {
    const digest = 'AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2025/11/20/d.json.gz';
    const objects = memoryObjectStore({}, { fail: { [ALB_KEY]: 'superseded', gone: 'missing' } });
    const sinks = createRecordingSinks();
    const event = sqsEvent([
      JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: BUCKET }),
      s3Notification(BUCKET, ALB_KEY),
      s3Notification(BUCKET, digest),
      s3Notification(BUCKET, 'gone'),
    ]);
    const {
      report,
      response,
      objects: counts,
    } = await ingestS3WithResponse(event, { config, sinks, objects }, deadline());
    expect(response.batchItemFailures).toEqual([]);
    expect(report.documents).toBe(0);
    expect(counts.skipped).toBe(1);
    expect(objects.gets.map((g) => g.key)).toEqual([ALB_KEY, 'gone']);
    expect(sinks.deadLetters.flatMap((d) => d.entries)).toMatchObject([
      { recordId: 'm4', reason: 'object_missing' },
    ]);
  });

  it('dead-letters an oversized line by its size and delivers the lines around it', async () => {
    const key = 'app/2025/11/20/service.log';
    const objects = memoryObjectStore({ [key]: Buffer.from(`first\n${'x'.repeat(3000)}\nlast\n`) });
    const sinks = createRecordingSinks();
    const { report } = await ingestS3WithResponse(
      sqsEvent([s3Notification(BUCKET, key)]),
      { config, sinks, objects, maxLineBytes: 1000 },
      deadline(),
    );
    expect(report.documents).toBe(2);
    expect(sinks.indexed.map((r) => r.doc.message)).toEqual(['first', 'last']);
    expect(sinks.deadLetters[0]!.entries[0]).toMatchObject({
      reason: 'decode_too_large',
      source: { line: 2 },
    });
  });

  it('delivers a large object in slices of at most sliceText of log text', async () => {
    const objects = memoryObjectStore({ [ALB_KEY]: albObject(300) });
    const sinks = createRecordingSinks();
    let calls = 0;
    const index = sinks.index.index;
    sinks.index.index = (items, d) => {
      calls++;
      return index(items, d);
    };
    const { report } = await ingestS3WithResponse(
      sqsEvent([s3Notification(BUCKET, ALB_KEY)]),
      { config, sinks, objects, sliceText: 20_000 },
      deadline(),
    );
    expect(report.indexed).toBe(300);
    expect(calls).toBeGreaterThanOrEqual(5);
  });

  it('sends an object that runs out of time back to the queue with where it stopped, and the resume reads on without duplicates', async () => {
    // Prepare: a clock that passes the stop time after the first chunk; a header-driven (CloudFront) object so the resume needs its header.
    const key = 'cf/E2EXAMPLE1.2025-11-20-10.abcd1234.gz';
    const lines = Array.from(
      { length: 400 },
      (_, i) =>
        `2025-11-20\t10:00:${String(i % 60).padStart(2, '0')}\t${200 + (i % 3)}\t10.0.0.${i % 200}`,
    );
    const body = gzipSync(
      `#Version: 1.0\n#Fields: date time sc-status c-ip\n${lines.join('\n')}\n`,
    );
    const objects = memoryObjectStore({ [key]: body }, { chunk: 512 });
    const sent: string[] = [];
    const resume = { send: async (b: string) => void sent.push(b) };
    const sinks = createRecordingSinks();
    // Act: time is up once the reader has taken its second chunk.
    const first = await ingestS3WithResponse(
      sqsEvent([s3Notification(BUCKET, key)]),
      { config, sinks, objects, resume, now: () => (objects.served > 1 ? 100 : 0), reserveMs: 0 },
      50,
    );
    // Assess
    expect(first.response.batchItemFailures).toEqual([]);
    expect(sent).toHaveLength(1);
    const partial = first.report.documents;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(400);
    // Act: the resume message comes back through the queue.
    const second = await ingestS3WithResponse(
      sqsEvent(sent),
      { config, sinks, objects, resume },
      deadline(),
    );
    expect(second.objects.resumed).toBe(1);
    expect(second.report.documents).toBe(400 - partial);
    const ids = sinks.indexed.map((r) => r.doc.event.id);
    expect(new Set(ids).size).toBe(400);
    // The header's fields came along: every document is a CloudFront one with its status.
    expect(sinks.indexed.every((r) => r.doc.event.dataset === 'aws.cloudfront')).toBe(true);
    expect(sinks.indexed.at(-1)!.doc).toMatchObject({
      http: { response: { status_code: 200 + (399 % 3) } },
    });
  });

  it('resumes a plain (not gzip) object with a ranged read from where it stopped', async () => {
    const key = 'app/2025/11/20/plain.log';
    const body = Buffer.from(Array.from({ length: 300 }, (_, i) => `plain line ${i}\n`).join(''));
    const objects = memoryObjectStore({ [key]: body }, { chunk: 256 });
    const sent: string[] = [];
    const resume = { send: async (b: string) => void sent.push(b) };
    const sinks = createRecordingSinks();
    const clock = () => (objects.served > 1 && objects.gets.length === 1 ? 100 : 0);
    await ingestS3WithResponse(
      sqsEvent([s3Notification(BUCKET, key)]),
      { config, sinks, objects, resume, now: clock, reserveMs: 0 },
      50,
    );
    await ingestS3WithResponse(sqsEvent(sent), { config, sinks, objects, resume }, deadline());
    expect(objects.gets[1]!.start).toBeGreaterThan(0);
    expect(sinks.indexed.map((r) => r.doc.message)).toEqual(
      Array.from({ length: 300 }, (_, i) => `plain line ${i}`),
    );
  });

  it('retries an object that runs out of time when there is no resume queue', async () => {
    const objects = memoryObjectStore({ [ALB_KEY]: albObject(50) }, { chunk: 200 });
    const { response, report } = await ingestS3WithResponse(
      sqsEvent([s3Notification(BUCKET, ALB_KEY)]),
      {
        config,
        sinks: createRecordingSinks(),
        objects,
        now: () => (objects.served > 1 ? 100 : 0),
        reserveMs: 0,
      },
      50,
    );
    expect(report.documents).toBeGreaterThan(0);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(report.errors.at(-1)).toMatch(/no resume queue/);
  });
});
