// The Kinesis path end to end: real handler, real OpenSearch, moto's S3, every sample record kind.
import type { KinesisStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '#shared/config/schema.ts';
import { loadConfig } from '#shared/config/yaml.ts';
import { BATCH_SUMMARY } from '#shared/pipeline/outcome.ts';
import { loadJson } from '#test/helpers/events.ts';
import { countIds, deadLetterRows, distinctRows, expectedOf } from '#test/helpers/kinesis.ts';
import { type LocalPipeline, localPipeline } from '#test/helpers/pipeline.ts';

let p: LocalPipeline;
let config: Config;
const SAMPLES = [
  'cloudwatch-logs',
  'kpl-aggregated',
  'gzip',
  'zlib',
  'firelens',
  'plain-text',
  'mixed-with-poison',
];
const sample = (name: string) => loadJson<KinesisStreamEvent>(`events/kinesis/${name}.json`);

beforeAll(async () => {
  p = await localPipeline('kinesis', { handler: 'kinesis' });
  config = loadConfig(process.env.LOGFERRY_CONFIG!);
});

afterAll(() => p.restoreEnv());

describe('Kinesis → OpenSearch + S3', () => {
  it('indexes the good records of a mixed batch, dead-letters the corrupt one, reports no failures', async () => {
    // Prepare
    const event = sample('mixed-with-poison');
    const expected = await expectedOf(event, config);
    // Act
    const response = await p.invokeKinesis(event);
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(response[BATCH_SUMMARY]).toMatchObject({
      documents: 10,
      indexed: 10,
      archived: 10,
      deadLettered: 1,
    });
    expect(await countIds(p, expected.ids)).toBe(expected.ids.length);
    const rows = await deadLetterRows(p);
    const poison = event.Records[2]!.kinesis;
    expect(rows).toMatchObject([
      {
        record_id: poison.sequenceNumber,
        raw: poison.data,
        error: { reason: 'decode_gzip' },
        source: { trigger: 'kinesis' },
      },
    ]);
    // Only the data Lambda returns: the summary stays in-process.
    expect(JSON.parse(JSON.stringify(response))).toEqual({ batchItemFailures: [] });
  });

  it('indexes every sample record kind with typed ECS fields, and a redelivery changes no count', async () => {
    const expected = new Set<string>();
    for (const name of SAMPLES)
      for (const id of (await expectedOf(sample(name), config)).ids) expected.add(id);
    for (const name of SAMPLES)
      expect((await p.invokeKinesis(sample(name))).batchItemFailures, name).toEqual([]);
    const before = {
      docs: await p.count(),
      archive: (await p.listKeys('archive/')).length,
      dead: distinctRows(await deadLetterRows(p)),
    };
    expect(before.docs).toBe(expected.size);
    expect(before.dead).toBe(1);
    // Act: every batch again.
    for (const name of SAMPLES) await p.invokeKinesis(sample(name));
    // Assess
    expect(await p.count()).toBe(before.docs);
    expect((await p.listKeys('archive/')).length).toBe(before.archive);
    expect(distinctRows(await deadLetterRows(p))).toBe(1);
    const { body } = await p.opensearch.search({
      index: `${p.prefix}-access-*`,
      body: {
        query: {
          bool: {
            filter: [
              { term: { 'container.name': 'web' } },
              { range: { 'http.response.status_code': { gte: 500 } } },
            ],
          },
        },
      },
    });
    expect(body.hits.hits.map((h) => (h._source as { aws: unknown }).aws)).toContainEqual({
      kinesis: expect.objectContaining({ stream: 'logferry-logs' }),
      ecs: expect.objectContaining({ cluster: 'prod' }),
    });
  });
});
