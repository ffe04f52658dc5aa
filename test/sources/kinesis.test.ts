import type { KinesisStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '#shared/config/file.ts';
import type { Routed } from '#shared/model.ts';
import { kinesisResponse } from '#shared/pipeline/outcome.ts';
import { createRecordingSinks } from '#shared/sinks/recording.ts';
import type { IndexResult } from '#shared/sinks/types.ts';
import { type AlertCounts, emptyAlertCounts } from '#shared/sinks/types.ts';
import { ingestKinesis, type KinesisIngestResult } from '#shared/sources/kinesis.ts';
import { loadJson } from '#test/helpers/events.ts';
import {
  fireLensLine,
  gzipData,
  kinesisEvent,
  kinesisRecord,
  sequenceNumber,
} from '#test/helpers/kinesis-events.ts';

const config = parseConfig({ version: 1 });
const deadline = () => Date.now() + 10_000;
const batch = (n: number) =>
  kinesisEvent(
    Array.from({ length: n }, (_, i) =>
      kinesisRecord(`line ${i}\nmore ${i}`, { seq: sequenceNumber(i) }),
    ),
  );

/** What Lambda would read of the handler's answer. */
const failures = (result: KinesisIngestResult) =>
  kinesisResponse(result.records, result.report).batchItemFailures;

describe('ingestKinesis', () => {
  it('indexes the good records of a mixed batch, dead-letters the poison one, reports no failures', async () => {
    // Prepare
    const event = loadJson<KinesisStreamEvent>('events/kinesis/mixed-with-poison.json');
    const sinks = createRecordingSinks();
    // Act
    const result = await ingestKinesis(event, { config, sinks }, deadline());
    const { report } = result;
    // Assess
    expect(failures(result)).toEqual([]);
    expect(report.documents).toBe(10);
    expect(report.indexed).toBe(10);
    expect(report.deadLettered).toBe(1);
    const poison = event.Records[2]!.kinesis;
    expect(sinks.deadLetters[0]!.entries).toMatchObject([
      {
        recordId: poison.sequenceNumber,
        reason: 'decode_gzip',
        raw: poison.data,
        source: { trigger: 'kinesis', sequence_number: poison.sequenceNumber },
      },
    ]);
    expect(report.outcomes.get(poison.sequenceNumber)).toBe('dead-letter');
  });

  it('names the first record (in batch order) that must be retried, however many failed', async () => {
    const event = batch(6);
    const sinks = createRecordingSinks();
    // Records 2 and 4 fail transiently.
    sinks.index = {
      index: async (items) =>
        items.map(
          (item): IndexResult =>
            [sequenceNumber(4), sequenceNumber(2)].includes(item.recordId)
              ? { status: 'retry', error: 'HTTP 429' }
              : { status: 'indexed' },
        ),
    };
    const result = await ingestKinesis(event, { config, sinks }, deadline());
    const { report } = result;
    expect(failures(result)).toEqual([{ itemIdentifier: sequenceNumber(2) }]);
    expect(report.pending).toBe(4);
  });

  it('retries from the first record whose archive object failed', async () => {
    const sinks = createRecordingSinks();
    sinks.archive = {
      archive: async (objects) => ({
        written: [],
        failed: objects.map((o) => ({ key: o.key, error: 'S3 500' })),
      }),
    };
    const result = await ingestKinesis(batch(3), { config, sinks }, deadline());
    expect(failures(result)).toEqual([{ itemIdentifier: sequenceNumber(0) }]);
  });

  it('retries a poison record when the dead-letter prefix cannot be written, since it has nowhere else to go', async () => {
    const event = batch(3);
    event.Records[1]!.kinesis.data = Buffer.from([0, 1, 2]).toString('base64');
    const sinks = createRecordingSinks();
    sinks.deadLetter = { write: async () => Promise.reject(new Error('S3 down')) };
    const result = await ingestKinesis(event, { config, sinks }, deadline());
    expect(failures(result)).toEqual([{ itemIdentifier: sequenceNumber(1) }]);
  });

  it('dead-letters a record without a sequence number instead of failing the batch', async () => {
    const event = batch(2);
    (event.Records[0]!.kinesis as { sequenceNumber?: string }).sequenceNumber = undefined;
    const sinks = createRecordingSinks();
    const result = await ingestKinesis(event, { config, sinks }, deadline());
    const { report } = result;
    expect(failures(result)).toEqual([]);
    expect(report.deadLettered).toBe(1);
    expect(report.indexed).toBe(2);
  });

  it('puts Kinesis coordinates, not CloudWatch ones, on documents of plain data', async () => {
    const sinks = createRecordingSinks();
    await ingestKinesis(batch(1), { config, sinks }, deadline());
    expect(sinks.indexed[0]!.doc.aws).toEqual({
      kinesis: {
        stream: 'logferry-logs',
        shard_id: 'shardId-000000000000',
        partition_key: 'pk-0',
        sequence_number: sequenceNumber(0),
      },
    });
    expect(sinks.indexed[0]!.group).toBe('logferry-logs');
  });
});

/** Records of every kind, some with a stack trace that spans the record's lines, one poison record. */
function mixedBatch(): KinesisStreamEvent {
  const trace = (i: number) =>
    [
      `2025-11-20 10:00:0${i}.000 ERROR 1 --- [main] c.e.Api : request ${i} failed`,
      'java.lang.IllegalStateException: boom',
      '\tat com.example.Api.handle(Api.java:42)',
      '\tat com.example.Api.run(Api.java:7)',
      `2025-11-20 10:00:0${i}.500 INFO 1 --- [main] c.e.Api : next ${i}`,
    ].join('\n');
  const records = Array.from({ length: 8 }, (_, i) => {
    const data =
      i === 5
        ? Buffer.from([0x1f, 0x8b, 0, 1, 2])
        : i % 3 === 0
          ? gzipData(trace(i))
          : i % 3 === 1
            ? `${fireLensLine(`GET /a/${i} 200`)}\n${fireLensLine(`GET /b/${i} 404`)}`
            : trace(i);
    return kinesisRecord(data, { seq: sequenceNumber(i) });
  });
  return kinesisEvent(records);
}

describe('ingestKinesis in slices', () => {
  it('makes the same documents, counts, outcomes and archive rows whatever the slice size', async () => {
    // Prepare
    const whole = createRecordingSinks();
    const sliced = createRecordingSinks();
    // Act
    const one = await ingestKinesis(
      mixedBatch(),
      { config, sinks: whole, sliceText: Number.POSITIVE_INFINITY },
      deadline(),
    );
    const many = await ingestKinesis(
      mixedBatch(),
      { config, sinks: sliced, sliceText: 1 },
      deadline(),
    );
    // Assess
    expect(whole.indexed.length).toBeGreaterThan(8);
    expect(whole.indexed.some((r) => (r.doc.error as { stack_trace?: string })?.stack_trace)).toBe(
      true,
    );
    expect(sliced.indexed).toEqual(whole.indexed);
    const { indexMs: _a, archiveKeys: keysOne, ...restOne } = one.report;
    const { indexMs: _b, archiveKeys: keysMany, ...restMany } = many.report;
    expect(restMany).toEqual(restOne);
    // Same outcome per record; a slice reports its poison records in batch order, not after the rest.
    expect(Object.fromEntries(many.report.outcomes)).toEqual(
      Object.fromEntries(one.report.outcomes),
    );
    expect(failures(many)).toEqual(failures(one));
    expect(sliced.archived.flatMap((a) => a.rows).sort()).toEqual(
      whole.archived.flatMap((a) => a.rows).sort(),
    );
    // Archive objects are grouped per slice: more of them, each key once.
    expect(keysMany.length).toBeGreaterThan(keysOne.length);
    expect(new Set(keysMany).size).toBe(keysMany.length);
    expect(sliced.deadLetters.flatMap((d) => d.entries)).toEqual(
      whole.deadLetters.flatMap((d) => d.entries),
    );
  });

  it('writes a sliced batch under the same archive keys when the same batch comes again', async () => {
    const first = await ingestKinesis(
      mixedBatch(),
      { config, sinks: createRecordingSinks(), sliceText: 100 },
      deadline(),
    );
    const again = await ingestKinesis(
      mixedBatch(),
      { config, sinks: createRecordingSinks(), sliceText: 100 },
      deadline(),
    );
    expect(again.report.archiveKeys).toEqual(first.report.archiveKeys);
  });

  it('names the first record to retry when it lies in a later slice', async () => {
    const sinks = createRecordingSinks();
    sinks.index = {
      index: async (items) =>
        items.map(
          (item): IndexResult =>
            [sequenceNumber(4), sequenceNumber(5)].includes(item.recordId)
              ? { status: 'retry', error: 'HTTP 429' }
              : { status: 'indexed' },
        ),
    };
    const result = await ingestKinesis(batch(6), { config, sinks, sliceText: 1 }, deadline());
    const { report } = result;
    expect(failures(result)).toEqual([{ itemIdentifier: sequenceNumber(4) }]);
    expect([...report.outcomes.values()]).toEqual(['ok', 'ok', 'ok', 'ok', 'retry', 'retry']);
    expect(report.pending).toBe(4);
    expect(report.indexed).toBe(8);
  });

  it('alerts once, after the last slice, on the claimed documents of every slice', async () => {
    const seen: Routed[][] = [];
    const alert = {
      claims: (items: readonly Routed[]) => items.filter((i) => i.doc.log.level === 'error'),
      alert: async (items: readonly Routed[]): Promise<AlertCounts> => {
        seen.push([...items]);
        return { ...emptyAlertCounts(), matched: items.length };
      },
    };
    const sinks = { ...createRecordingSinks(), alert };
    const { report } = await ingestKinesis(
      mixedBatch(),
      { config, sinks, sliceText: 1 },
      deadline(),
    );
    expect(seen).toHaveLength(1);
    expect(seen[0]!.map((r) => r.recordId)).toEqual([0, 2, 3, 6].map((i) => sequenceNumber(i)));
    expect(report.alerts.matched).toBe(4);
  });
});
