import { describe, expect, it } from 'vitest';
import { parseConfig } from '#shared/config/file.ts';
import {
  type DeadLetterRow,
  parseOnFailureRecord,
  redriveDeadLetters,
  redriveOnFailure,
} from '#shared/ops/redrive.ts';
import { createRecordingSinks } from '#shared/sinks/recording.ts';
import type { IndexResult } from '#shared/sinks/types.ts';
import { loadEvent } from '#test/helpers/events.ts';
import { kinesisRecord, sequenceNumber } from '#test/helpers/kinesis-events.ts';

const config = parseConfig({ version: 1 });
const kinesisSource = {
  trigger: 'kinesis',
  event_source_arn: 'arn:aws:kinesis:us-east-1:123456789012:stream/logs',
  shard_id: 'shardId-000000000000',
  sequence_number: '4963000001',
  partition_key: 'pk',
  approximate_arrival_timestamp: 1763632800,
};

describe('redriveDeadLetters', () => {
  it('re-indexes stored documents as they are, and re-runs raw payloads that decode now', async () => {
    // Prepare
    const sinks = createRecordingSinks();
    const indexed: string[] = [];
    const documents = {
      index: async (items: readonly { doc: { event: { id: string } } }[]) =>
        items.map((i): IndexResult => {
          indexed.push(i.doc.event.id);
          return i.doc.event.id === 'still-bad'
            ? { status: 'rejected', error: 'mapper_parsing_exception', statusCode: 400 }
            : { status: 'indexed' };
        }),
    };
    const doc = (id: string) => ({
      '@timestamp': '2025-11-20T10:00:00.000Z',
      message: 'm',
      event: { id, dataset: 'text' as const },
      log: { type: 'application' as const },
    });
    const rows: DeadLetterRow[] = [
      {
        document: doc('fixed'),
        error: { message: 'x', reason: 'mapping_degraded' },
        attempts: 1,
        record_id: 'r1',
        source: { index: 'logs-application-2025.11.20' },
      },
      {
        document: doc('still-bad'),
        error: { message: 'x', reason: 'rejected' },
        attempts: 1,
        record_id: 'r2',
        source: { index: 'logs-application-2025.11.20' },
      },
      {
        raw: Buffer.from('now readable\n').toString('base64'),
        error: { message: 'x', reason: 'decode_binary' },
        attempts: 1,
        record_id: '4963000001',
        source: kinesisSource,
      },
      {
        raw: Buffer.from([0, 1, 2]).toString('base64'),
        error: { message: 'x', reason: 'decode_binary' },
        attempts: 1,
        record_id: '4963000002',
        source: { ...kinesisSource, sequence_number: '4963000002' },
      },
      {
        raw: 'bm90IGd6aXA=',
        error: { message: 'x', reason: 'decode_gzip' },
        attempts: 1,
        record_id: 'c1',
        source: { trigger: 'cloudwatch-logs' },
      },
      {
        raw: 'subscription payload text password=[REDACTED]',
        error: { message: 'x', reason: 'decode_json' },
        attempts: 1,
        record_id: 'c2',
        source: { trigger: 'cloudwatch-logs', raw_encoding: 'text' },
      },
    ];
    // Act
    const results = await redriveDeadLetters(
      rows,
      { config, sinks, documents: documents as never },
      Date.now() + 5000,
    );
    // Assess
    expect(results.map((r) => r.outcome)).toEqual([
      'delivered',
      'failed',
      'delivered',
      'failed',
      'failed',
      'skipped',
    ]);
    expect(results[5]!.error).toMatch(/masked text/);
    expect(indexed).toEqual(['fixed', 'still-bad']);
    // The payload that decodes now went through the whole pipeline (archived), and nothing was dead-lettered again.
    expect(sinks.archived.flatMap((a) => a.rows).map((r) => JSON.parse(r).message)).toEqual([
      'now readable',
    ]);
    expect(sinks.deadLetters).toEqual([]);
  });
});

describe('parseOnFailureRecord', () => {
  it('tells a CloudWatch Logs requestPayload from a Kinesis batch and from anything else', () => {
    expect(
      parseOnFailureRecord({
        requestPayload: loadEvent('nginx-access'),
        requestContext: { functionArn: 'f' },
      }),
    ).toMatchObject({ kind: 'cloudwatch-logs', functionArn: 'f' });
    expect(
      parseOnFailureRecord({
        KinesisBatchInfo: {
          shardId: 's',
          startSequenceNumber: '1',
          endSequenceNumber: '2',
          batchSize: 2,
          streamArn: 'a',
        },
      }),
    ).toMatchObject({ kind: 'kinesis' });
    expect(parseOnFailureRecord({ requestPayload: { foo: 1 } })).toMatchObject({ kind: 'unknown' });
    expect(parseOnFailureRecord('nope')).toMatchObject({ kind: 'unknown' });
  });
});

describe('redriveOnFailure', () => {
  it('reads a Kinesis batch back and delivers all of it, going on past what the batch caps defer', async () => {
    // Prepare: three records of 600 lines under a 1,000-event batch cap: one record a pass.
    const capped = parseConfig({
      version: 1,
      decode: { max_events_per_record: 1000, max_events_per_batch: 1000 },
    });
    const records = [0, 1, 2].map((r) =>
      kinesisRecord(Array.from({ length: 600 }, (_, l) => `r${r} line ${l}`).join('\n'), {
        seq: sequenceNumber(r),
      }),
    );
    const sinks = createRecordingSinks();
    const batch = {
      shardId: 's',
      startSequenceNumber: '1',
      endSequenceNumber: '3',
      batchSize: 3,
      streamArn: 'a',
    };
    // Act
    const result = await redriveOnFailure(
      { kind: 'kinesis', batch },
      { config: capped, sinks, documents: sinks.index, readKinesis: async () => records },
      Date.now() + 20_000,
    );
    // Assess
    expect(result).toEqual({ outcome: 'delivered' });
    expect(sinks.indexed).toHaveLength(1800);
  });
});
