// Source adapter for Kinesis stream events: decode each record, run the batch, build the partial batch response.
import type {
  KinesisStreamBatchResponse,
  KinesisStreamEvent,
  KinesisStreamRecord,
} from 'aws-lambda';
import type { Config } from '#shared/config/schema.ts';
import { decodeKinesisRecord, type KinesisRecordRef } from '#shared/decode/kinesis.ts';
import { DecodeError } from '#shared/errors.ts';
import type { InputEvent } from '#shared/model.ts';
import { type BatchReport, type RejectedRecord, runBatch } from '#shared/pipeline/run.ts';
import type { BatchSummary } from '#shared/report.ts';
import type { Sinks } from '#shared/sinks/types.ts';

/**
 * Where the handler puts its batch summary on the response. Lambda serialises the response with
 * JSON.stringify, which leaves symbol keys out: in-process callers (replay, tests) read the summary,
 * while Lambda sees nothing but `batchItemFailures`.
 */
export const BATCH_SUMMARY = Symbol.for('logferry.batchSummary');

export type KinesisResponse = KinesisStreamBatchResponse & { [BATCH_SUMMARY]?: BatchSummary };

export interface KinesisIngestResult {
  report: BatchReport;
  response: KinesisStreamBatchResponse;
  records: number;
}

/** Dead-letter `source` of a Kinesis record: enough for `npm run redrive` to rebuild the record. */
export function kinesisDeadLetterSource(
  ref: KinesisRecordRef,
  subSequenceNumber?: number,
): Record<string, unknown> {
  return {
    trigger: 'kinesis',
    event_source_arn: ref.eventSourceArn,
    aws_region: ref.region,
    shard_id: ref.shardId,
    sequence_number: ref.sequenceNumber,
    sub_sequence_number: subSequenceNumber,
    partition_key: ref.partitionKey,
    approximate_arrival_timestamp: ref.arrival / 1000,
  };
}

/** A record too malformed to have a sequence number: dead-lettered whole under a made-up id. */
function unshapedRecord(record: KinesisStreamRecord, i: number, err: DecodeError): RejectedRecord {
  return {
    recordId: `kinesis-record-${i}`,
    error: err.message,
    reason: `decode_${err.reason}`,
    raw: JSON.stringify(record ?? null),
    source: { trigger: 'kinesis', record_index: i },
  };
}

/**
 * The partial batch response: the first record (in batch order) that must be retried, so Lambda
 * checkpoints every record before it and redelivers from there. Later records come back too; their
 * ids are deterministic, so indexing them again changes nothing.
 */
export function batchItemFailures(
  records: readonly KinesisStreamRecord[],
  report: Pick<BatchReport, 'outcomes'>,
): KinesisStreamBatchResponse {
  for (const record of records) {
    const seq = record?.kinesis?.sequenceNumber;
    if (seq && report.outcomes.get(seq) === 'retry')
      return { batchItemFailures: [{ itemIdentifier: seq }] };
  }
  return { batchItemFailures: [] };
}

/**
 * Ingests one Kinesis batch. Undecodable records (or KPL user records) are dead-lettered and
 * acknowledged; sink failures that may pass make the response name the first record to retry.
 *
 * @example
 * const { response } = await ingestKinesis(event, { config, sinks, region }, deadline);
 */
export async function ingestKinesis(
  event: KinesisStreamEvent,
  deps: { config: Config; sinks: Sinks; region?: string; now?: () => number },
  deadline: number,
): Promise<KinesisIngestResult> {
  const records: KinesisStreamRecord[] = Array.isArray(event?.Records) ? event.Records : [];
  const events: InputEvent[] = [];
  const rejected: RejectedRecord[] = [];
  records.forEach((record, i) => {
    try {
      const decoded = decodeKinesisRecord(record, {
        maxBytes: deps.config.decode.max_decompressed_bytes,
        region: deps.region,
      });
      events.push(...decoded.events);
      for (const part of decoded.rejected) {
        rejected.push({
          recordId: decoded.ref.sequenceNumber,
          error: part.error,
          reason: `decode_${part.reason}`,
          raw: part.raw,
          source: kinesisDeadLetterSource(decoded.ref, part.subSequenceNumber),
        });
      }
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      rejected.push(unshapedRecord(record, i, err));
    }
  });
  const report = await runBatch(events, rejected, deps, deadline);
  return { report, response: batchItemFailures(records, report), records: records.length };
}
