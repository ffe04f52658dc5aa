// OpenSearch killed (SIGKILL) while a big Kinesis batch is being indexed: nothing acknowledged may be lost.
import { connect } from 'node:net';
import type { KinesisStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenSearchNode, startOpenSearch } from '#scripts/local/stack.ts';
import { loadConfig } from '#shared/config/yaml.ts';
import { BATCH_SUMMARY } from '#shared/pipeline/outcome.ts';
import {
  countIds,
  deadLetterRows,
  deliver,
  type Expected,
  expectedOf,
  runCli,
  syntheticBatch,
} from '#test/helpers/kinesis.ts';
import { type LocalPipeline, localPipeline } from '#test/helpers/pipeline.ts';

const PORT = 9204;
let node: OpenSearchNode;
let p: LocalPipeline;
let event: KinesisStreamEvent;
let expected: Expected;

async function indexedSoFar(url: string): Promise<number> {
  const res = await fetch(`${url}/_nodes/stats/indices/indexing`).catch(() => undefined);
  if (!res?.ok) return 0;
  const body = (await res.json()) as {
    nodes: Record<string, { indices: { indexing: { index_total: number } } }>;
  };
  return Object.values(body.nodes).reduce((n, s) => n + s.indices.indexing.index_total, 0);
}

/** A killed JVM lets go of its ports a moment after the kill returns. */
async function portFree(port: number, timeoutMs = 20_000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const busy = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (!busy) return;
    if (Date.now() - t0 > timeoutMs) throw new Error(`port ${port} still busy`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  node = await startOpenSearch({ port: PORT, name: 'fault-killed' });
  // Small bulks one at a time: the batch stays in flight long enough to be cut in the middle.
  p = await localPipeline('killed', {
    handler: 'kinesis',
    opensearchUrl: node.url,
    opensearch: { bulk_bytes: 65536, concurrency: 1 },
  });
  event = syntheticBatch(1500, { lines: 10, kinds: ['text', 'gzip', 'cloudwatch', 'kpl'] });
  expected = await expectedOf(event, loadConfig(process.env.LOGFERRY_CONFIG!));
});

afterAll(async () => {
  p?.restoreEnv();
  await node?.stop();
});

describe('OpenSearch killed in the middle of a batch', () => {
  it('checkpoints only what was indexed; reindex from the archive and redelivery restore it exactly', async () => {
    // Act: kill the node once a few thousand documents are in.
    const invocation = p.invokeKinesis(event, 5_000);
    const t0 = Date.now();
    while ((await indexedSoFar(node.url)) < 3000 && Date.now() - t0 < 30_000)
      await new Promise((r) => setTimeout(r, 25));
    await node.kill();
    const response = await invocation;

    // Assess: the response names a record, and everything before it was indexed (and survives a restart).
    const failedAt = response.batchItemFailures[0]?.itemIdentifier;
    expect(failedAt).toBeDefined();
    const summary = response[BATCH_SUMMARY]!;
    expect(summary.retry).toBeGreaterThan(0);
    await portFree(PORT);
    await portFree(PORT + 100);
    node = await startOpenSearch({ port: PORT, name: 'fault-killed', fresh: false });
    const cut = event.Records.findIndex((r) => r.kinesis.sequenceNumber === failedAt);
    expect(cut).toBeGreaterThan(0);
    const before = event.Records.slice(0, cut).flatMap(
      (r) => expected.idsByRecord.get(r.kinesis.sequenceNumber) ?? [],
    );
    expect(await countIds(p, before)).toBe(before.length);
    console.log(
      `killed after ${summary.indexed} acknowledged documents; checkpoint at record ${cut} of ${event.Records.length}`,
    );

    // Act: the archive was written while OpenSearch was down; reindexing it restores what the outage left out.
    const reindex = await runCli('reindex', ['--from', 'archive/']);
    expect(reindex.code).toBe(0);
    expect(reindex.json).toMatchObject({
      documents: expected.ids.length,
      indexed: expected.ids.length,
      failed: 0,
    });
    expect(await countIds(p, expected.ids)).toBe(expected.ids.length);

    // Act: Lambda redelivers from the failed record; it changes no count.
    const rounds = await deliver(p, { Records: event.Records.slice(cut) }, { timeoutMs: 60_000 });

    // Assess: exact counts; indexed + dead-lettered + still failing = sent.
    expect(rounds.at(-1)?.failedAt).toBeUndefined();
    expect(await p.count()).toBe(expected.ids.length);
    expect(await countIds(p, expected.ids)).toBe(expected.ids.length);
    expect(await deadLetterRows(p)).toEqual([]);
  });

  it('a redelivery of the whole batch changes no count', async () => {
    const response = await p.invokeKinesis(event, 60_000);
    expect(response.batchItemFailures).toEqual([]);
    expect(await p.count()).toBe(expected.ids.length);
  });
});
