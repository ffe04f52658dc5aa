import { gzipSync } from 'node:zlib';
import type { KinesisStreamRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '#shared/config/file.ts';
import { kinesisResponse } from '#shared/pipeline/outcome.ts';
import { createRecordingSinks } from '#shared/sinks/recording.ts';
import { ingestKinesis } from '#shared/sources/kinesis.ts';
import { configErrorOf } from '#test/helpers/config.ts';
import { kinesisEvent, kinesisRecord, sequenceNumber } from '#test/helpers/kinesis-events.ts';

/** The smallest caps the schema allows: a batch takes 1,000 events or 1 MiB of text. */
const config = parseConfig({
  version: 1,
  decode: {
    max_events_per_record: 1000,
    max_events_per_batch: 1000,
    max_decompressed_bytes: 1024 * 1024,
    max_bytes_per_batch: 1024 * 1024,
  },
});
const deadline = () => Date.now() + 20_000;

/** `n` records of `lines` lines each, every line `width` characters. */
function records(n: number, lines: number, width = 8): KinesisStreamRecord[] {
  return Array.from({ length: n }, (_, r) =>
    kinesisRecord(
      Array.from({ length: lines }, (_, l) => `r${r} l${l} `.padEnd(width, 'x')).join('\n'),
      { seq: sequenceNumber(r) },
    ),
  );
}

/**
 * Lambda's side of a partial batch response: checkpoint before the record named, deliver the batch
 * again from it. Returns the invocations it took and what the sinks saw over all of them.
 */
async function deliverAll(batch: KinesisStreamRecord[], cfg = config) {
  const sinks = createRecordingSinks();
  let left = batch;
  let invocations = 0;
  const firsts: string[] = [];
  while (left.length > 0 && invocations < 50) {
    invocations++;
    firsts.push(left[0]!.kinesis.sequenceNumber);
    const { report } = await ingestKinesis(kinesisEvent(left), { config: cfg, sinks }, deadline());
    const failed = kinesisResponse(left, report).batchItemFailures[0];
    left = failed
      ? left.slice(left.findIndex((r) => r.kinesis.sequenceNumber === failed.itemIdentifier))
      : [];
  }
  return { sinks, invocations, firsts };
}

describe('per-batch caps (decode.max_events_per_batch, decode.max_bytes_per_batch)', () => {
  it('takes whole records up to the event cap and defers the rest, nothing dead-lettered', async () => {
    // Prepare: 5 records of 400 events; the third would take the batch to 1,200.
    const batch = records(5, 400);
    const sinks = createRecordingSinks();
    // Act
    const { report } = await ingestKinesis(kinesisEvent(batch), { config, sinks }, deadline());
    const response = kinesisResponse(batch, report);
    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: sequenceNumber(2) }]);
    expect(report.documents).toBe(800);
    expect(report.deferred).toBe(3);
    expect([...report.outcomes.values()]).toEqual(['ok', 'ok', 'deferred', 'deferred', 'deferred']);
    expect(sinks.deadLetters).toEqual([]);
    expect(report.errors.join()).toMatch(/3 records left for the next batch.*max_events_per_batch/);
  });

  it('defers by decoded text too: records of long lines stop at 1 MiB', async () => {
    // 4 records of 40 lines of 10,000 characters: 400,000 characters each, two fit.
    const batch = records(4, 40, 10_000);
    const { report } = await ingestKinesis(
      kinesisEvent(batch),
      { config, sinks: createRecordingSinks() },
      deadline(),
    );
    expect(report.documents).toBe(80);
    expect(kinesisResponse(batch, report).batchItemFailures).toEqual([
      { itemIdentifier: sequenceNumber(2) },
    ]);
    expect(report.errors.join()).toMatch(/max_bytes_per_batch/);
  });

  it('redelivered as Lambda does, every record is indexed once, each invocation starting further on', async () => {
    // Prepare: 7 records of 600 events: one record per invocation fits the 1,000-event cap.
    const batch = records(7, 600);
    // Act
    const { sinks, invocations, firsts } = await deliverAll(batch);
    // Assess: 7 invocations, the checkpoint moving one record each time; every line indexed.
    expect(invocations).toBe(7);
    expect(firsts).toEqual(batch.map((r) => r.kinesis.sequenceNumber));
    const ids = sinks.indexed.map((r) => r.doc.event.id);
    expect(ids).toHaveLength(7 * 600);
    expect(new Set(ids).size).toBe(ids.length);
    expect(sinks.deadLetters).toEqual([]);
  });

  it('always takes the first record whole, however full it is', async () => {
    // One record at the record cap (1,000 events) and another: the first alone fills the batch.
    const batch = records(2, 1000);
    const { report } = await ingestKinesis(
      kinesisEvent(batch),
      { config, sinks: createRecordingSinks() },
      deadline(),
    );
    expect(report.documents).toBe(1000);
    expect(report.outcomes.get(sequenceNumber(0))).toBe('ok');
    expect(report.outcomes.get(sequenceNumber(1))).toBe('deferred');
  });

  it('starts no record past the deadline but the first', async () => {
    const batch = records(3, 5);
    const { report } = await ingestKinesis(
      kinesisEvent(batch),
      { config, sinks: createRecordingSinks() },
      Date.now() - 1,
    );
    expect(report.outcomes.get(sequenceNumber(0))).not.toBe('deferred');
    expect(report.deferred).toBe(2);
    expect(kinesisResponse(batch, report).batchItemFailures).toEqual([
      { itemIdentifier: sequenceNumber(1) },
    ]);
    expect(report.errors.join()).toMatch(/deadline/);
  });

  it('dead-letters a record with no sequence number at the cut instead of skipping it', async () => {
    const batch = records(4, 400);
    (batch[2]!.kinesis as { sequenceNumber?: string }).sequenceNumber = undefined;
    const sinks = createRecordingSinks();
    const { report } = await ingestKinesis(kinesisEvent(batch), { config, sinks }, deadline());
    // Record 2 cannot be named in batchItemFailures: dead-lettered now; record 3 comes again.
    expect(kinesisResponse(batch, report).batchItemFailures).toEqual([
      { itemIdentifier: sequenceNumber(3) },
    ]);
    expect(sinks.deadLetters.flatMap((d) => d.entries).map((e) => e.reason)).toEqual([
      'decode_shape',
    ]);
  });

  it('a batch of fan-out records (a few hundred bytes, 20,000 lines each) is capped, not held', async () => {
    // 30 such records hold 600,000 lines; a record yields 1,000 events, a batch 5,000.
    const cfg = parseConfig({
      version: 1,
      decode: { max_events_per_record: 1000, max_events_per_batch: 5000 },
    });
    const data = gzipSync('x\n'.repeat(20_000));
    expect(data.length).toBeLessThan(1000);
    const batch = Array.from({ length: 30 }, (_, i) =>
      kinesisRecord(data, { seq: sequenceNumber(i) }),
    );
    const { report } = await ingestKinesis(
      kinesisEvent(batch),
      { config: cfg, sinks: createRecordingSinks() },
      deadline(),
    );
    // Five records taken (their excess dead-lettered as overflow), the other 25 deferred.
    expect(report.documents).toBe(5000);
    expect(report.outcomes.get(sequenceNumber(4))).toBe('dead-letter');
    expect(report.outcomes.get(sequenceNumber(5))).toBe('deferred');
    expect(report.deferred).toBe(25);
  });

  it('refuses batch caps below the record caps: a batch must hold one whole record', () => {
    const events = configErrorOf(() =>
      parseConfig({
        version: 1,
        decode: { max_events_per_record: 50_000, max_events_per_batch: 20_000 },
      }),
    );
    expect(events.message).toMatch(/decode\.max_events_per_batch.*max_events_per_record/);
    const bytes = configErrorOf(() =>
      parseConfig({ version: 1, decode: { max_decompressed_bytes: 128 * 1024 * 1024 } }),
    );
    expect(bytes.message).toMatch(/decode\.max_bytes_per_batch.*max_decompressed_bytes/);
  });
});
