// The S3 path end to end: sample objects in moto's S3, the real ingestS3 handler, the real OpenSearch, the archive, a real SQS queue for resumes.
import { gunzipSync } from 'node:zlib';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fileObjectStore,
  sampleObjects,
  samplesRoot,
  uploadSamples,
} from '#scripts/local/s3-samples.ts';
import { localEnv } from '#scripts/local/stack.ts';
import { parseConfig } from '#shared/config/file.ts';
import { BATCH_SUMMARY } from '#shared/pipeline/outcome.ts';
import { createRecordingSinks } from '#shared/sinks/recording.ts';
import { ingestS3 } from '#shared/sources/s3.ts';
import { loadJson, ROOT } from '#test/helpers/events.ts';
import { deadLetterRows, distinctRows } from '#test/helpers/kinesis.ts';
import { type LocalPipeline, localPipeline } from '#test/helpers/pipeline.ts';

const FAMILIES: Record<string, string> = {
  alb: 'aws.elb',
  nlb: 'aws.elb',
  cloudfront: 'aws.cloudfront',
  's3-access': 'aws.s3access',
  'vpc-flow': 'aws.vpcflow',
  cloudtrail: 'aws.cloudtrail',
  waf: 'aws.waf',
};
const eventFile = (name: string) => `${ROOT}/events/s3/${name}.json`;
const sample = (name: string) => loadJson(`events/s3/${name}.json`);

/** Document ids a sample must end as, from the pure stages over the sample files. */
async function expectedIds(name: string): Promise<string[]> {
  const sinks = createRecordingSinks();
  const objects = fileObjectStore(samplesRoot(eventFile(name)));
  await ingestS3(
    sample(name),
    { config: parseConfig({ version: 1 }), sinks, objects },
    Date.now() + 30_000,
  );
  return sinks.indexed.map((r) => r.doc.event.id);
}

let p: LocalPipeline;
let queueUrl: string;
let sqs: SQSClient;

beforeAll(async () => {
  const env = localEnv();
  sqs = new SQSClient({
    region: env.AWS_REGION,
    endpoint: env.AWS_ENDPOINT_URL,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID!,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY!,
    },
  });
  const queue = await sqs.send(new CreateQueueCommand({ QueueName: `it-s3-${process.pid}` }));
  queueUrl = queue.QueueUrl!;
  p = await localPipeline('s3', { handler: 's3', env: { S3_QUEUE_URL: queueUrl } });
  for (const name of [...Object.keys(FAMILIES), 'corrupt-with-good'])
    await uploadSamples(p.s3, sampleObjects(samplesRoot(eventFile(name)), sample(name)));
});

afterAll(() => {
  p.restoreEnv();
  sqs.destroy();
});

describe('S3 objects → OpenSearch + archive', () => {
  it('dead-letters a corrupt object with its reason and acknowledges it and the good objects of its batch', async () => {
    // Prepare: the good objects' lines, and those of the corrupt one before the damage.
    const expected = await expectedIds('corrupt-with-good');
    const good = [...(await expectedIds('waf')), ...(await expectedIds('nlb'))];
    expect(expected).toEqual(expect.arrayContaining(good));
    // Act
    const response = await p.invokeS3(sample('corrupt-with-good'));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(response[BATCH_SUMMARY]).toMatchObject({
      documents: expected.length,
      indexed: expected.length,
      deadLettered: 1,
    });
    expect(await p.count()).toBe(expected.length);
    const rows = await deadLetterRows(p);
    expect(rows).toMatchObject([
      {
        record_id: 'm2',
        error: { reason: 'decode_gzip' },
        source: { trigger: 's3', bucket: 'logferry-s3-samples' },
      },
    ]);
    expect(rows[0]!.error.message).toMatch(/truncated\.log\.gz: invalid gzip data/);
    // Only what Lambda reads: the summary stays in-process.
    expect(JSON.parse(JSON.stringify(response))).toEqual({ batchItemFailures: [] });
  });

  it('indexes every family into typed documents, archives them, and a redelivered notification adds nothing', async () => {
    const all = new Set<string>();
    for (const name of [...Object.keys(FAMILIES), 'corrupt-with-good'])
      for (const id of await expectedIds(name)) all.add(id);
    for (const name of Object.keys(FAMILIES)) {
      const response = await p.invokeS3(sample(name));
      expect(response.batchItemFailures, name).toEqual([]);
      const summary = response[BATCH_SUMMARY]!;
      expect(summary.indexed, name).toBe((await expectedIds(name)).length);
      expect(summary.archiveKeys.length, name).toBeGreaterThan(0);
      expect(summary.errors, name).toEqual([]);
    }
    const before = { docs: await p.count(), archive: (await p.listKeys('archive/')).sort() };
    expect(before.docs).toBe(all.size);
    // Act: every notification again, as SQS would redeliver it.
    for (const name of Object.keys(FAMILIES)) await p.invokeS3(sample(name));
    // Assess
    expect(await p.count()).toBe(before.docs);
    expect((await p.listKeys('archive/')).sort()).toEqual(before.archive);
    expect(distinctRows(await deadLetterRows(p))).toBe(1);

    // Every family is there under its dataset, with typed fields a query can use.
    const { body } = await p.opensearch.search({
      index: `${p.prefix}-*`,
      body: { size: 0, aggs: { d: { terms: { field: 'event.dataset', size: 20 } } } },
    } as never);
    const buckets = (body.aggregations as { d: { buckets: { key: string; doc_count: number }[] } })
      .d.buckets;
    expect(buckets.map((b) => b.key).sort()).toEqual([...new Set(Object.values(FAMILIES))].sort());
    const slow = await p.opensearch.search({
      index: `${p.prefix}-access-*`,
      body: { query: { range: { 'aws.elb.target_processing_time.sec': { gte: 0.2 } } } },
    });
    expect(slow.body.hits.hits.map((h) => (h._source as { http: unknown }).http)).toMatchObject([
      { request: { method: 'POST' }, response: { status_code: 502 } },
    ]);
    const { body: mapping } = await p.opensearch.indices.getFieldMapping({
      index: `${p.prefix}-*`,
      fields: [
        'aws.elb.target_processing_time.sec',
        'aws.vpcflow.pkt_srcaddr',
        'aws.s3.object.key',
        'aws.cloudtrail.request_parameters',
      ],
    });
    const types = new Map<string, string>();
    for (const index of Object.values(
      mapping as Record<
        string,
        { mappings: Record<string, { mapping: Record<string, { type: string }> }> }
      >,
    ))
      for (const [field, m] of Object.entries(index.mappings))
        types.set(field, Object.values(m.mapping)[0]!.type);
    expect(Object.fromEntries(types)).toEqual({
      'aws.elb.target_processing_time.sec': 'double',
      'aws.vpcflow.pkt_srcaddr': 'ip',
      'aws.s3.object.key': 'keyword',
      'aws.cloudtrail.request_parameters': 'flat_object',
    });
    // The archive holds the documents with the object they came from.
    const key = before.archive.find((k) => k.includes('log_type=application'))!;
    const rows = gunzipSync(await p.getObject(key))
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows[0]).toMatchObject({
      event: { dataset: 'aws.cloudtrail' },
      aws: {
        s3: {
          bucket: { name: 'logferry-s3-samples' },
          object: { key: expect.stringContaining('/CloudTrail/') },
        },
      },
    });
  });

  it('sends what it cannot read in time to its own queue, and the message read back from it finishes the object', async () => {
    // Prepare: an invocation with too little time left for anything but the resume messages.
    const name = 'vpc-flow';
    // Act
    const first = await p.invokeS3(sample(name), 1_500);
    // Assess
    expect(first.batchItemFailures).toEqual([]);
    expect(first[BATCH_SUMMARY]!.documents).toBe(0);
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );
    expect(received.Messages).toHaveLength(1);
    const body = received.Messages![0]!.Body!;
    expect(JSON.parse(body)).toMatchObject({
      logferryResume: { object: { bucket: 'logferry-s3-samples' } },
    });
    // Act: the queue delivers the resume message to the function.
    const before = await p.count();
    const second = await p.invokeS3({
      Records: [
        {
          messageId: received.Messages![0]!.MessageId,
          body,
          eventSource: 'aws:sqs',
          attributes: {},
          messageAttributes: {},
        },
      ],
    });
    expect(second.batchItemFailures).toEqual([]);
    expect(second[BATCH_SUMMARY]!.indexed).toBe((await expectedIds(name)).length);
    // Same ids as the first delivery of the sample: nothing new.
    expect(await p.count()).toBe(before);
  });
});
