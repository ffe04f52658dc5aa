// The CloudWatch Logs path end to end: real handler, real OpenSearch, moto's S3.
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '#shared/config/file.ts';
import { toInputEvents } from '#shared/decode/cloudwatch-logs.ts';
import { archiveRow, planArchive } from '#shared/sinks/archive-keys.ts';
import { gzipNdjson } from '#shared/sinks/ndjson.ts';
import { transformEvents } from '#shared/transform/transform-events.ts';
import { loadEvent, loadMessage } from '#test/helpers/events.ts';
import { type LocalPipeline, localPipeline } from '#test/helpers/pipeline.ts';

let p: LocalPipeline;

beforeAll(async () => {
  p = await localPipeline('cwl');
});

afterAll(() => p.restoreEnv());

describe('CloudWatch Logs → OpenSearch + S3', () => {
  it('indexes nginx access lines into the daily access index with typed ECS fields', async () => {
    // Act
    const summary = await p.invoke(loadEvent('nginx-access'));
    // Assess
    expect(summary).toMatchObject({
      events: 6,
      documents: 6,
      indexed: 6,
      archived: 6,
      deadLettered: 0,
      retry: 0,
    });
    const index = `${p.prefix}-access-2025.11.20`;
    expect(await p.count(index)).toBe(6);
    const id = loadMessage('nginx-access').logEvents[1]!.id;
    const { body } = await p.opensearch.get({ index, id });
    expect(body._source).toMatchObject({
      '@timestamp': '2025-11-20T10:00:00.000Z',
      event: { id, dataset: 'nginx.access' },
      log: { type: 'access' },
      http: { request: { method: 'POST' }, response: { status_code: 502, body: { bytes: 166 } } },
      url: { original: '/api/checkout' },
      source: { ip: '198.51.100.23' },
      user: { name: 'alice' },
      aws: { cloudwatch: { log_group: '/ecs/web/nginx' } },
      cloud: { account: { id: '123456789012' }, region: 'us-east-1' },
    });
    // The template typed the numbers, so range queries work.
    const { body: search } = await p.opensearch.search({
      index,
      body: { query: { range: { 'http.response.status_code': { gte: 500 } } } },
    });
    expect((search.hits.total as { value: number }).value).toBe(1);
  });

  it('splits JSON application logs between application and error indices, `app` as flat_object', async () => {
    const summary = await p.invoke(loadEvent('app-json'));
    expect(summary.indices).toEqual({
      [`${p.prefix}-application-2025.11.20`]: 3,
      [`${p.prefix}-error-2025.11.20`]: 1,
    });
    const { body: mapping } = await p.opensearch.indices.getMapping({
      index: `${p.prefix}-application-2025.11.20`,
    });
    const props = Object.values(mapping)[0]!.mappings.properties as Record<
      string,
      { type?: string }
    >;
    expect(props.app?.type).toBe('flat_object');
    await p.count();
    const { body } = await p.opensearch.search({
      index: `${p.prefix}-error-*`,
      body: { query: { term: { 'error.type': 'PaymentDeclinedError' } } },
    });
    expect(body.hits.hits).toHaveLength(1);
  });

  it('archives every line to S3 under deterministic keys, byte for byte', async () => {
    // Prepare: what the archive must hold, computed by the pure stages.
    const config = parseConfig({ version: 1, index: { prefix: p.prefix } });
    const { routed } = transformEvents(
      toInputEvents(loadMessage('nginx-access'), 'x', 'us-east-1'),
      config,
    );
    const [expected] = planArchive(routed);
    // Act
    const keys = await p.listKeys('archive/log_type=access/');
    const body = await p.getObject(expected!.key);
    // Assess
    expect(keys).toEqual([expected!.key]);
    expect(body.equals(gzipNdjson(expected!.items.map(archiveRow), 1))).toBe(true);
    const rows = gunzipSync(body)
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((r) => r.message)).toEqual(
      loadMessage('nginx-access').logEvents.map((e) => e.message),
    );
  });

  it('a redelivered event adds no documents and no archive objects', async () => {
    const before = { docs: await p.count(), keys: (await p.listKeys('archive/')).length };
    await p.invoke(loadEvent('nginx-access'));
    await p.invoke(loadEvent('app-json'));
    expect(await p.count()).toBe(before.docs);
    expect((await p.listKeys('archive/')).length).toBe(before.keys);
  });

  it('acknowledges a control message and writes nothing', async () => {
    const before = await p.count();
    const summary = await p.invoke(loadEvent('control'));
    expect(summary).toMatchObject({ events: 0, documents: 0, deadLettered: 0 });
    expect(await p.count()).toBe(before);
  });

  it('dead-letters a corrupt payload with a clear error and still takes the next event', async () => {
    // Act
    const bad = await p.invoke(loadEvent('corrupt'));
    const good = await p.invoke(loadEvent('lambda'));
    // Assess
    expect(bad).toMatchObject({ documents: 0, deadLettered: 1, retry: 0 });
    expect(bad.deadLetterKeys).toHaveLength(1);
    const [entry] = gunzipSync(await p.getObject(bad.deadLetterKeys[0]!))
      .toString()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(entry).toMatchObject({
      error: { message: 'payload is not gzip data (no gzip magic bytes)', reason: 'decode_gzip' },
      raw: loadEvent('corrupt').awslogs.data,
      attempts: 1,
    });
    expect(good).toMatchObject({ documents: 5, indexed: 5 });
  });
});
