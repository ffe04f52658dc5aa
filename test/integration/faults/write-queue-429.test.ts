// A write thread pool with one thread and a queue of one: OpenSearch answers 429 and the sink must slow down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenSearchNode, startOpenSearch } from '#scripts/local/stack.ts';
import type { Config } from '#shared/config/schema.ts';
import { loadConfig } from '#shared/config/yaml.ts';
import {
  countIds,
  deadLetterRows,
  deliver,
  expectedOf,
  syntheticBatch,
} from '#test/helpers/kinesis.ts';
import { type LocalPipeline, localPipeline } from '#test/helpers/pipeline.ts';

let node: OpenSearchNode;
let p: LocalPipeline;
let config: Config;

async function writeRejections(url: string): Promise<number> {
  const res = await fetch(`${url}/_nodes/stats/thread_pool`);
  const body = (await res.json()) as {
    nodes: Record<string, { thread_pool: { write: { rejected: number } } }>;
  };
  return Object.values(body.nodes).reduce((n, s) => n + s.thread_pool.write.rejected, 0);
}

beforeAll(async () => {
  node = await startOpenSearch({
    port: 9205,
    name: 'fault-429',
    settings: { 'thread_pool.write.size': 1, 'thread_pool.write.queue_size': 1 },
  });
  // Eight small bulks at once against a queue of one: most of them are refused with 429.
  p = await localPipeline('throttled', {
    handler: 'kinesis',
    opensearchUrl: node.url,
    opensearch: { bulk_bytes: 65536, concurrency: 8 },
  });
  config = loadConfig(process.env.LOGFERRY_CONFIG!);
});

afterAll(async () => {
  p?.restoreEnv();
  await node?.stop();
});

describe('OpenSearch answering 429 (write queue full)', () => {
  it('backs off and retries only the refused items until every document is in, with no failure reported', async () => {
    // Prepare
    const event = syntheticBatch(1_000, { lines: 10, kinds: ['text', 'firelens'] });
    const expected = await expectedOf(event, config);
    const rejectedBefore = await writeRejections(node.url);
    // Act
    const response = await p.invokeKinesis(event, 60_000);
    // Assess
    expect(await writeRejections(node.url)).toBeGreaterThan(rejectedBefore);
    expect(response.batchItemFailures).toEqual([]);
    expect(await countIds(p, expected.ids)).toBe(expected.ids.length);
    expect(await p.count()).toBe(expected.ids.length);
    expect(await deadLetterRows(p)).toEqual([]);
  });

  it('past the deadline, reports the first record still refused; redeliveries complete the batch exactly', async () => {
    // Prepare: a second batch, too big to get through the throttled node in one short invocation.
    const event = syntheticBatch(1_000, { lines: 10, kinds: ['text', 'gzip'], first: 10_000 });
    const expected = await expectedOf(event, config);
    const before = await p.count();
    // Act: 1.25 s of Lambda time (0.25 s for the sinks) per delivery: far less than 10,000 documents need.
    const rounds = await deliver(p, event, { timeoutMs: 1_250, maxRounds: 60 });
    // Assess
    console.log(
      `429 past the deadline: ${rounds.length} deliveries, first cut at ${rounds[0]?.failedAt ?? 'none'}`,
    );
    expect(rounds.length).toBeGreaterThan(1);
    expect(rounds.at(-1)?.failedAt).toBeUndefined();
    expect(await countIds(p, expected.ids)).toBe(expected.ids.length);
    expect(await p.count()).toBe(before + expected.ids.length);
    // Redelivering the whole batch changes nothing.
    await deliver(p, event, { timeoutMs: 60_000 });
    expect(await p.count()).toBe(before + expected.ids.length);
    expect(await deadLetterRows(p)).toEqual([]);
  });
});
