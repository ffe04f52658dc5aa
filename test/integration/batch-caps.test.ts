// A Kinesis batch past decode.max_events_per_batch, end to end: the real handler takes what fits, names the next record, and Lambda's redelivery from it indexes the rest into the real OpenSearch once.
import type { KinesisStreamRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATCH_SUMMARY } from '#shared/pipeline/outcome.ts';
import { deadLetterRows } from '#test/helpers/kinesis.ts';
import { kinesisEvent, kinesisRecord, sequenceNumber } from '#test/helpers/kinesis-events.ts';
import { type LocalPipeline, localPipeline } from '#test/helpers/pipeline.ts';

let p: LocalPipeline;

beforeAll(async () => {
  p = await localPipeline('batch-caps', {
    handler: 'kinesis',
    yaml: 'decode: { max_events_per_record: 1000, max_events_per_batch: 1000 }\n',
  });
});

afterAll(() => p.restoreEnv());

/** Five records of 450 distinct lines: two fit a batch of 1,000 events. */
const records: KinesisStreamRecord[] = Array.from({ length: 5 }, (_, r) =>
  kinesisRecord(
    Array.from({ length: 450 }, (_, l) => `batch-caps r${r} line ${l} password=pw-${r}-${l}`).join(
      '\n',
    ),
    { seq: sequenceNumber(r, '4971') },
  ),
);

describe('per-batch caps against the local stack', () => {
  it('indexes up to the cap, defers the rest, and the redeliveries index every line once', async () => {
    // Act: the first invocation, then Lambda's redeliveries from the record each one names.
    const first = await p.invokeKinesis(kinesisEvent(records));
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: sequenceNumber(2, '4971') }]);
    expect(first[BATCH_SUMMARY]).toMatchObject({ documents: 900, indexed: 900, deferred: 3 });
    expect(await p.count()).toBe(900);
    let left = records.slice(2);
    let invocations = 1;
    while (left.length > 0 && invocations < 10) {
      invocations++;
      const response = await p.invokeKinesis(kinesisEvent(left));
      const next = response.batchItemFailures[0]?.itemIdentifier;
      left = next ? left.slice(left.findIndex((r) => r.kinesis.sequenceNumber === next)) : [];
    }
    // Assess: three invocations (2 + 2 + 1 records), every line indexed, none twice, none dead-lettered.
    expect(invocations).toBe(3);
    expect(await p.count()).toBe(5 * 450);
    expect(await deadLetterRows(p)).toEqual([]);
    const { body } = await p.opensearch.search({
      index: `${p.prefix}-*`,
      body: { query: { match_phrase: { message: 'pw-4-449' } } },
    });
    expect(body.hits.total).toMatchObject({ value: 0 });
  });
});
