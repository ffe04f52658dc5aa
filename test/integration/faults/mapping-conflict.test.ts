// A field whose type conflicts across documents of one index: the document is indexed degraded, never lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '#shared/config/yaml.ts';
import { LOG_MAPPINGS } from '#shared/ops/templates.ts';
import {
  countIds,
  deadLetterRows,
  distinctRows,
  expectedOf,
  runCli,
  syntheticBatch,
} from '#test/helpers/kinesis.ts';
import { type LocalPipeline, localPipeline } from '#test/helpers/pipeline.ts';

let p: LocalPipeline;
let index: string;

beforeAll(async () => {
  p = await localPipeline('mapping', { handler: 'kinesis' });
  index = `${p.prefix}-access-2025.11.20`;
  // An older template (higher priority) typed `user` as a plain string, and its documents are already in
  // the index: every access line with an authenticated user (`user.name`) now conflicts with them.
  await p.opensearch.indices.putIndexTemplate({
    name: `${p.prefix}-legacy`,
    body: {
      index_patterns: [`${p.prefix}-access-*`],
      priority: 300,
      template: {
        settings: { number_of_shards: 1, number_of_replicas: 0 },
        mappings: {
          ...LOG_MAPPINGS,
          properties: { ...LOG_MAPPINGS.properties, user: { type: 'keyword' } },
        },
      },
    } as never,
  });
  await p.opensearch.index({
    index,
    id: 'legacy-1',
    body: { '@timestamp': '2025-11-20T09:00:00.000Z', message: 'legacy line', user: 'legacy-bob' },
    refresh: true,
  });
});

afterAll(async () => {
  await p.opensearch.indices
    .deleteIndexTemplate({ name: `${p.prefix}-legacy` })
    .catch(() => undefined);
  p.restoreEnv();
});

describe('conflicting field types in one index', () => {
  it('indexes conflicting documents degraded (field moved into app), dead-letters their originals, reports no failure', async () => {
    // Prepare: 200 records of 5 lines; every fifth line has a user.
    const event = syntheticBatch(200, { lines: 5, kinds: ['text', 'cloudwatch'] });
    const expected = await expectedOf(event, loadConfig(process.env.LOGFERRY_CONFIG!));
    const withUser = Math.ceil(expected.ids.length / 5);
    // Act
    const response = await p.invokeKinesis(event, 60_000);
    // Assess: every document is in (degraded or not), originals of the degraded ones are dead-lettered.
    expect(response.batchItemFailures).toEqual([]);
    expect(await countIds(p, expected.ids)).toBe(expected.ids.length);
    expect(await p.count(index)).toBe(expected.ids.length + 1);
    const rows = await deadLetterRows(p);
    expect(rows).toHaveLength(withUser);
    expect(rows.every((r) => r.error.reason === 'mapping_degraded')).toBe(true);
    const { body } = await p.opensearch.search({
      index,
      body: { size: 1, query: { term: { tags: '_mapping_degraded' } } },
    });
    expect((body.hits.total as { value: number }).value).toBe(withUser);
    const doc = body.hits.hits[0]!._source as Record<string, unknown>;
    expect(doc).toMatchObject({
      app: { 'user.name': 'alice' },
      http: { response: { status_code: 200 } },
    });
    expect(doc.user).toBeUndefined();
    expect(rows[0]!.document).toMatchObject({ user: { name: 'alice' } });

    // Redelivery changes no count.
    expect((await p.invokeKinesis(event, 60_000)).batchItemFailures).toEqual([]);
    expect(await p.count(index)).toBe(expected.ids.length + 1);
    expect(distinctRows(await deadLetterRows(p))).toBe(withUser);
  });

  it('after the template is fixed, reindex from the archive and redrive of the dead letters restore the originals', async () => {
    // Prepare: the operator drops the legacy template and the index built from it.
    const expectedDocs = await p.count(index);
    const deadRows = distinctRows(await deadLetterRows(p));
    await p.opensearch.indices.deleteIndexTemplate({ name: `${p.prefix}-legacy` });
    await p.opensearch.indices.delete({ index });
    // Act
    const reindex = await runCli('reindex', ['--from', 'archive/']);
    const redrive = await runCli('redrive', ['--from', 'dead-letter/', '--delete']);
    // Assess: every document is back (the legacy one aside), none degraded, the dead letters are gone.
    expect(reindex.code).toBe(0);
    expect(reindex.json).toMatchObject({
      indexed: expectedDocs - 1,
      degraded: 0,
      rejected: 0,
      failed: 0,
    });
    expect(redrive.code).toBe(0);
    expect(redrive.json).toMatchObject({ rows: { delivered: deadRows, failed: 0, retry: 0 } });
    expect(await p.count(index)).toBe(expectedDocs - 1);
    const { body } = await p.opensearch.count({
      index,
      body: { query: { term: { tags: '_mapping_degraded' } } },
    });
    expect(body.count).toBe(0);
    const { body: users } = await p.opensearch.count({
      index,
      body: { query: { term: { 'user.name': 'alice' } } },
    });
    expect(users.count).toBe(deadRows);
    expect(await p.listKeys('dead-letter/')).toEqual([]);
    // Both are idempotent: a second reindex changes no count.
    await runCli('reindex', ['--from', 'archive/']);
    expect(await p.count(index)).toBe(expectedDocs - 1);
  });
});
