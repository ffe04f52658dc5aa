// npm run dev --once and S3 sources: objects put into the deployed local stack's source bucket reach
// ingestS3 through moto's own bucket notification and the dev loop's SQS poller, land in OpenSearch with
// their object's ids, a corrupt object is dead-lettered and its message deleted, a redelivery adds nothing.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Deployment, queueUrl, readDeployment } from '#scripts/dev/deployed.ts';
import { REPO_ROOT } from '#scripts/local/paths.ts';
import { localEnv } from '#scripts/local/stack.ts';
import { s3EventId } from '#shared/sources/s3-lines.ts';
import { childEnv, deployLocal, removeLocal, target } from '#test/helpers/local-deploy.ts';

const exec = promisify(execFile);
const TSX = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const OPENSEARCH = localEnv().OPENSEARCH_URL ?? 'http://127.0.0.1:9200';
const BUCKET = 'logferry-s3-samples';
const SAMPLES = path.join(REPO_ROOT, 'events', 's3', 'objects', BUCKET);
const run = randomUUID().slice(0, 8);

const ELB = 'AWSLogs/123456789012/elasticloadbalancing/us-east-1/2025/11/20';
const SAMPLE = {
  alb: `${ELB}/123456789012_elasticloadbalancing_us-east-1_app.shop-alb.50dc6c495c0c9188_20251120T1005Z_10.0.1.15_2fj7ahb1.log.gz`,
  truncated: `${ELB}/123456789012_elasticloadbalancing_us-east-1_app.shop-alb.50dc6c495c0c9188_20251120T1005Z_10.0.1.15_truncated.log.gz`,
  cloudtrail:
    'AWSLogs/123456789012/CloudTrail/us-east-1/2025/11/20/123456789012_CloudTrail_us-east-1_20251120T1005Z_Ab1Cd2Ef3Gh4Ij5K.json.gz',
};
// This run's keys: the samples' layouts (the parser is chosen by the key), a name no other run wrote.
const KEY = {
  alb: SAMPLE.alb.replace('_2fj7ahb1.log.gz', `_${run}.log.gz`),
  corrupt: SAMPLE.truncated.replace('_truncated.log.gz', `_${run}bad.log.gz`),
  cloudtrail: SAMPLE.cloudtrail.replace('_Ab1Cd2Ef3Gh4Ij5K.json.gz', `_${run}.json.gz`),
};

type Hits = { hits?: { hits?: { _id: string; _source: Record<string, unknown> }[] } };

async function os(method: string, urlPath: string, body?: unknown): Promise<Hits> {
  const res = await fetch(`${OPENSEARCH}${urlPath}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as Hits;
}

/** The documents of one object, by `_id`. */
async function docsOf(key: string): Promise<Map<string, Record<string, unknown>>> {
  await os('POST', '/logs-*/_refresh');
  const found = await os('POST', '/logs-*/_search', {
    size: 500,
    query: { term: { 'aws.s3.object.key': key } },
  });
  const hits = found.hits?.hits ?? [];
  return new Map(hits.map((h) => [h._id, h._source]));
}

/** `npm run dev -- --once`: its output. */
async function devOnce(): Promise<string> {
  const { stdout, stderr } = await exec(TSX, ['scripts/dev.ts', '--once'], {
    cwd: REPO_ROOT,
    env: childEnv(),
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout + stderr;
}

describe('npm run dev --once with S3 sources', () => {
  const s3 = new S3Client({ ...target(), forcePathStyle: true });
  const sqs = new SQSClient(target());
  let deployment: Deployment;
  let queue: string;
  let deadLetterQueue: string;
  let albNotification: Message | undefined;
  let output: string;
  const etags: Record<string, string> = {};

  async function queueDepth(url: string): Promise<number> {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(Attributes?.ApproximateNumberOfMessages) +
      Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
    );
  }

  beforeAll(async () => {
    await deployLocal();
    deployment = await readDeployment(target());
    queue = await queueUrl(sqs, deployment.outputs.S3SourceQueueArn!);
    deadLetterQueue = deployment.outputs.S3SourceDeadLetterQueueUrl!;
    // Only what S3 itself announces: the deploy's s3:notify test event and these objects.
    for (const [name, key] of Object.entries(KEY)) {
      const sample = name === 'corrupt' ? SAMPLE.truncated : SAMPLE[name as 'alb' | 'cloudtrail'];
      const put = await s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: key,
          Body: readFileSync(path.join(SAMPLES, sample)),
        }),
      );
      etags[name] = (put.ETag ?? '').replace(/"/g, '');
    }
    // A look at what moto queued, put back at once (visibility 0): the ALB object's notification,
    // kept to deliver again below.
    const seen: Message[] = [];
    for (let i = 0; i < 5 && !seen.some((m) => m.Body?.includes(run)); i++) {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queue,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 0,
          WaitTimeSeconds: 1,
        }),
      );
      seen.push(...(Messages ?? []));
    }
    albNotification = seen.find((m) =>
      m.Body?.includes(encodeURIComponent(KEY.alb).replace(/%20/g, '+')),
    );
    output = await devOnce();
  }, 400_000);

  afterAll(async () => {
    await removeLocal();
    s3.destroy();
    sqs.destroy();
  }, 180_000);

  it("gets S3's own ObjectCreated notification on the queue, in the documented shape", () => {
    expect(albNotification, 'moto queued no notification for the ALB object').toBeDefined();
    const record = JSON.parse(albNotification!.Body!).Records[0];
    expect(record).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      s3: {
        bucket: { name: BUCKET, arn: `arn:aws:s3:::${BUCKET}` },
        object: { eTag: etags.alb, size: expect.any(Number) },
      },
    });
    // URL-encoded, as S3 sends keys.
    expect(decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '))).toBe(KEY.alb);
  });

  it('delivers the queue to ingestS3, one line per delivery, and leaves the queues empty', async () => {
    expect(output).toMatch(/delivering: .*logferry-local-LogferryS3Queue-/);
    expect(output).toMatch(
      /sqs logferry-local-LogferryS3Queue-\S+: \d+ message\(s\) -> logferry-local-ingestS3: \d+ document\(s\)/,
    );
    expect(output).toMatch(/sqs logferry-local-LogferryS3Queue-\S+: ok, \d+ deleted/);
    expect(await queueDepth(queue)).toBe(0);
    // Nothing walked to the dead-letter queue by receives that delivered nothing (moto's own poller).
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: deadLetterQueue, MaxNumberOfMessages: 10 }),
    );
    expect((Messages ?? []).map((m) => m.Body)).toEqual([]);
  });

  it("indexes the ALB object's lines with the object's bucket, key and ids", async () => {
    const lines = gunzipSync(readFileSync(path.join(SAMPLES, SAMPLE.alb)))
      .toString('utf8')
      .split('\n')
      .filter((l) => l.length > 0);
    const docs = await docsOf(KEY.alb);
    expect(docs.size).toBe(lines.length);
    const ref = { bucket: BUCKET, key: KEY.alb, etag: etags.alb, eventTime: 0 };
    expect([...docs.keys()].sort()).toEqual(lines.map((_, i) => s3EventId(ref, i + 1)).sort());
    for (const doc of docs.values())
      expect(doc).toMatchObject({
        aws: { s3: { bucket: { name: BUCKET }, object: { key: KEY.alb } } },
        event: { dataset: 'aws.elb' },
        cloud: { account: { id: '123456789012' } },
      });
  });

  it('indexes one document per CloudTrail record, with its ids', async () => {
    const { Records } = JSON.parse(
      gunzipSync(readFileSync(path.join(SAMPLES, SAMPLE.cloudtrail))).toString('utf8'),
    ) as { Records: unknown[] };
    const docs = await docsOf(KEY.cloudtrail);
    expect(docs.size).toBe(Records.length);
    const ref = { bucket: BUCKET, key: KEY.cloudtrail, etag: etags.cloudtrail, eventTime: 0 };
    expect([...docs.keys()].sort()).toEqual(Records.map((_, i) => s3EventId(ref, i + 1)).sort());
    for (const doc of docs.values())
      expect(doc).toMatchObject({
        aws: { s3: { object: { key: KEY.cloudtrail } } },
        event: { dataset: 'aws.cloudtrail' },
      });
  });

  it('dead-letters the corrupt object to S3 (the lines before the damage delivered) and deletes its message', async () => {
    const bucket = deployment.outputs.ArchiveBucketName!;
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'dead-letter/' }),
    );
    const entries: { source?: Record<string, unknown> }[] = [];
    for (const o of listed.Contents ?? []) {
      const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key }));
      const text = gunzipSync(await body.Body!.transformToByteArray()).toString('utf8');
      for (const line of text.split('\n')) if (line) entries.push(JSON.parse(line));
    }
    const ours = entries.filter((e) => e.source?.key === KEY.corrupt);
    expect(ours, JSON.stringify(entries.map((e) => e.source))).toEqual([
      expect.objectContaining({
        error: expect.objectContaining({ reason: 'decode_gzip' }),
        source: expect.objectContaining({ trigger: 's3', bucket: BUCKET, etag: etags.corrupt }),
      }),
    ]);
    expect((await docsOf(KEY.corrupt)).size).toBeGreaterThan(0);
    // Acknowledged, not left to come back: the queue and its dead-letter queue are empty.
    expect(await queueDepth(queue)).toBe(0);
  });

  it('adds nothing when the same notification is delivered again', async () => {
    const before = await docsOf(KEY.alb);
    await sqs.send(
      new SendMessageCommand({ QueueUrl: queue, MessageBody: albNotification!.Body! }),
    );
    const again = await devOnce();
    expect(again).toMatch(/sqs logferry-local-LogferryS3Queue-\S+: 1 message\(s\) -> /);
    const after = await docsOf(KEY.alb);
    expect(after.size).toBe(before.size);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    expect(await queueDepth(queue)).toBe(0);
  }, 120_000);
});
