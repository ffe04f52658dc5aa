// An HTTP request size limit (http.max_content_length) that answers 413: bulks shrink, a lone giant is dead-lettered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenSearchNode, startOpenSearch } from '#scripts/local/stack.ts';
import { createOpenSearchClient } from '#shared/clients/opensearch.ts';
import type { Config } from '#shared/config/schema.ts';
import { loadConfig } from '#shared/config/yaml.ts';
import type { Routed } from '#shared/model.ts';
import { type AttemptInfo, createOpenSearchSink } from '#shared/sinks/opensearch/sink.ts';
import {
  countIds,
  deadLetterRows,
  distinctRows,
  expectedOf,
  syntheticBatch,
} from '#test/helpers/kinesis.ts';
import { kinesisRecord, sequenceNumber } from '#test/helpers/kinesis-events.ts';
import { type LocalPipeline, localPipeline } from '#test/helpers/pipeline.ts';

let node: OpenSearchNode;
let p: LocalPipeline;
let config: Config;

beforeAll(async () => {
  node = await startOpenSearch({
    port: 9206,
    name: 'fault-413',
    settings: { 'http.max_content_length': '48kb' },
  });
  // 256 KiB bulks against a 48 KB limit: every first bulk is refused with 413.
  p = await localPipeline('too-large', {
    handler: 'kinesis',
    opensearchUrl: node.url,
    opensearch: { bulk_bytes: 262144, concurrency: 2 },
  });
  config = loadConfig(process.env.LOGFERRY_CONFIG!);
});

afterAll(async () => {
  p?.restoreEnv();
  await node?.stop();
});

/** A JSON log line whose document is larger than the limit even after `max_field_bytes` cuts. */
function giantLine(): string {
  const fields = Object.fromEntries(
    Array.from({ length: 8 }, (_, i) => [`blob${i}`, `${i}`.repeat(9000)]),
  );
  return JSON.stringify({ level: 'info', msg: 'giant', ...fields });
}

describe('OpenSearch answering 413 (request too large)', () => {
  it('halves the bulks until they fit; a document larger than the limit on its own is dead-lettered', async () => {
    // Prepare: 300 ordinary records and, in the middle, one record holding a giant document.
    const event = syntheticBatch(300, { lines: 10, kinds: ['text', 'gzip'] });
    event.Records.splice(
      150,
      0,
      kinesisRecord(giantLine(), { seq: sequenceNumber(150, '4964') + '5' }),
    );
    const expected = await expectedOf(event, config);
    // Act
    const response = await p.invokeKinesis(event, 60_000);
    // Assess: indexed + dead-lettered = sent, nothing left for Lambda to retry.
    expect(response.batchItemFailures).toEqual([]);
    const rows = await deadLetterRows(p);
    expect(distinctRows(rows)).toBe(1);
    expect(rows[0]).toMatchObject({
      error: { reason: 'rejected' },
      document: { message: 'giant' },
    });
    expect(rows[0]!.error.message).toMatch(/HTTP 413/);
    const good = expected.ids.filter((id) => id !== rows[0]!.document!.event.id);
    expect(good).toHaveLength(expected.ids.length - 1);
    expect(await countIds(p, good)).toBe(good.length);
    expect(await p.count()).toBe(good.length);
    // Redelivery changes nothing.
    expect((await p.invokeKinesis(event, 60_000)).batchItemFailures).toEqual([]);
    expect(await p.count()).toBe(good.length);
    expect(distinctRows(await deadLetterRows(p))).toBe(1);
  });

  it('the sink shrinks its bulk size on 413 rather than failing the documents', async () => {
    const attempts: AttemptInfo[] = [];
    const sink = createOpenSearchSink({
      client: createOpenSearchClient({ url: node.url }),
      bulkBytes: 262144,
      concurrency: 1,
      maxFieldBytes: 32766,
      onAttempt: (a) => attempts.push(a),
    });
    const items: Routed[] = Array.from({ length: 500 }, (_, i) => ({
      doc: {
        '@timestamp': '2025-11-20T10:00:00.000Z',
        message: `line ${i} ${'x'.repeat(400)}`,
        event: { id: `sink-413-${i}`, dataset: 'text' },
        log: { type: 'application' },
      },
      index: `${p.prefix}-application-2025.11.20`,
      raw: `line ${i}`,
      recordId: 'r',
      group: 'g',
    }));
    const results = await sink.index(items, Date.now() + 30_000);
    expect(results.every((r) => r.status === 'indexed')).toBe(true);
    expect(attempts[0]!.tooLarge).toBeGreaterThan(0);
    expect(attempts.at(-1)!.bulkBytes).toBeLessThan(48 * 1024);
  });
});
