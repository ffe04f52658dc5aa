import type { KinesisStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { kinesisEvent, kinesisRecord, sequenceNumber } from '#scripts/kinesis-events.ts';
import { parseConfig } from '#shared/config/load.ts';
import { createRecordingSinks } from '#shared/sinks/dry-run.ts';
import type { IndexResult } from '#shared/sinks/types.ts';
import { ingestKinesis } from '#shared/sources/kinesis.ts';
import { loadJson } from '#test/helpers/events.ts';

const config = parseConfig({ version: 1 });
const deadline = () => Date.now() + 10_000;
const batch = (n: number) =>
  kinesisEvent(
    Array.from({ length: n }, (_, i) =>
      kinesisRecord(`line ${i}\nmore ${i}`, { seq: sequenceNumber(i) }),
    ),
  );

describe('ingestKinesis', () => {
  it('indexes the good records of a mixed batch, dead-letters the poison one, reports no failures', async () => {
    // Prepare
    const event = loadJson<KinesisStreamEvent>('events/kinesis/mixed-with-poison.json');
    const sinks = createRecordingSinks();
    // Act
    const { report, response } = await ingestKinesis(event, { config, sinks }, deadline());
    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
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
    const { response, report } = await ingestKinesis(event, { config, sinks }, deadline());
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumber(2) }] });
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
    const { response } = await ingestKinesis(batch(3), { config, sinks }, deadline());
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumber(0) }] });
  });

  it('retries a poison record when the dead-letter prefix cannot be written, since it has nowhere else to go', async () => {
    const event = batch(3);
    event.Records[1]!.kinesis.data = Buffer.from([0, 1, 2]).toString('base64');
    const sinks = createRecordingSinks();
    sinks.deadLetter = { write: async () => Promise.reject(new Error('S3 down')) };
    const { response } = await ingestKinesis(event, { config, sinks }, deadline());
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumber(1) }] });
  });

  it('dead-letters a record without a sequence number instead of failing the batch', async () => {
    const event = batch(2);
    (event.Records[0]!.kinesis as { sequenceNumber?: string }).sequenceNumber = undefined;
    const sinks = createRecordingSinks();
    const { response, report } = await ingestKinesis(event, { config, sinks }, deadline());
    expect(response.batchItemFailures).toEqual([]);
    expect(report.deadLettered).toBe(1);
    expect(report.indexed).toBe(2);
  });

  it('puts Kinesis coordinates, not CloudWatch ones, on documents of plain data', async () => {
    const sinks = createRecordingSinks();
    const { report } = await ingestKinesis(batch(1), { config, sinks }, deadline());
    expect(report.routed[0]!.doc.aws).toEqual({
      kinesis: {
        stream: 'logferry-logs',
        shard_id: 'shardId-000000000000',
        partition_key: 'pk-0',
        sequence_number: sequenceNumber(0),
      },
    });
    expect(report.routed[0]!.group).toBe('logferry-logs');
  });
});
