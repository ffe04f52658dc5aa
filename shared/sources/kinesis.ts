// Source adapter for Kinesis stream events: decode each record, run the batch, build the partial batch response.
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { boundedStringify } from '#shared/bounded-json.ts';
import type { Config } from '#shared/config/schema.ts';
import { decodeKinesisRecord, type KinesisRecordRef } from '#shared/decode/kinesis.ts';
import { decodeLimits } from '#shared/decode/limits.ts';
import { DecodeError } from '#shared/errors.ts';
import type { InputEvent, Routed } from '#shared/model.ts';
import {
  alertDelivered,
  type Delivery,
  deliverBatch,
  type RejectedRecord,
} from '#shared/pipeline/deliver.ts';
import { type BatchReport, emptyReport, mergeReport } from '#shared/pipeline/outcome.ts';
import type { Sinks } from '#shared/sinks/types.ts';
import { overflowRecords, textPart } from './overflow.ts';

export interface KinesisIngestResult {
  report: BatchReport;
  /** The batch's records, in order, for `kinesisResponse` to name the first one to retry. */
  records: readonly KinesisStreamRecord[];
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
    raw: boundedStringify(record ?? null),
    source: { trigger: 'kinesis', record_index: i },
  };
}

/**
 * Most log text (UTF-16 units of the decoded lines) a slice of a batch holds, unless one record alone
 * holds more. A 6 MB batch of gzipped CloudWatch Logs payloads carries ~28 MiB of it (0.5-0.75 MiB a
 * record): delivered whole it peaked at ~0.9-1 GB RSS. V8 lets old space fill with each slice's promoted
 * garbage before collecting, so the peak grows ~100 MB per MiB of slice: one slice at a time, 1.3 MiB
 * slices ~350 MB, 2 MiB ~415 MB, 4.5 MiB ~550 MB; 1 MiB with two slices overlapping ~340-380 MB.
 */
export const SLICE_TEXT = 1024 * 1024;

/** Most events a slice holds, unless one record alone holds more (at most `decode.max_events_per_record`). */
export const SLICE_EVENTS = 20_000;

/**
 * Ingests one Kinesis batch in slices of whole records (at most `sliceText` of log text each, default
 * SLICE_TEXT): each slice is decoded, transformed and delivered before the next is decoded, so
 * memory follows the slice, not the batch. Stack traces never merge across records, so slicing
 * changes no document; archive objects are grouped per slice (same keys for the same batch).
 * Undecodable records (or KPL user records) are dead-lettered and acknowledged; sink failures that
 * may pass leave their record `retry` (outcome.ts turns that into `batchItemFailures`). Alerts run once, after the last slice.
 *
 * @example
 * const { report, records } = await ingestKinesis(event, { config, sinks, region }, deadline);
 * return kinesisResponse(records, report);
 */
export async function ingestKinesis(
  event: KinesisStreamEvent,
  deps: { config: Config; sinks: Sinks; region?: string; now?: () => number; sliceText?: number },
  deadline: number,
): Promise<KinesisIngestResult> {
  const records: KinesisStreamRecord[] = Array.isArray(event?.Records) ? event.Records : [];
  const sliceText = deps.sliceText ?? SLICE_TEXT;
  const report = emptyReport();
  const delivered: Routed[] = [];
  let events: InputEvent[] = [];
  let rejected: RejectedRecord[] = [];
  let text = 0;
  let slices = 0;
  // One slice may still be in the sinks while the next is transformed and sent: the cluster keeps
  // two bulks to work on, as it had when the batch went whole. Reports merge in slice order.
  const inFlight: Promise<Delivery>[] = [];
  const settle = async () => {
    const slice = await inFlight.shift()!;
    mergeReport(report, slice.report);
    for (const item of slice.delivered) delivered.push(item);
  };
  const deliver = async () => {
    const pending = deliverBatch(events, rejected, deps, deadline, true);
    // Awaited in turn below; until then a failure must not count as unhandled.
    pending.catch(() => undefined);
    inFlight.push(pending);
    events = [];
    rejected = [];
    text = 0;
    slices++;
    if (inFlight.length > 1) await settle();
  };
  for (const [i, record] of records.entries()) {
    try {
      const decoded = decodeKinesisRecord(record, {
        maxBytes: deps.config.decode.max_decompressed_bytes,
        region: deps.region,
        limits: decodeLimits(deps.config),
      });
      let recordText = 0;
      for (const e of decoded.events) recordText += e.message.length;
      for (const o of decoded.overflow) for (const c of o.chunks) recordText += c.length;
      // The slice so far goes first when this record would take it past a limit: a document's
      // objects cost more than its text, so short lines count by number too.
      if (
        (text > 0 || events.length > 0) &&
        (text + recordText > sliceText || events.length + decoded.events.length > SLICE_EVENTS)
      )
        await deliver();
      for (const e of decoded.events) events.push(e);
      text += recordText;
      const source = decoded.events[0]?.source ?? { logGroup: decoded.ref.stream };
      for (const part of decoded.rejected) {
        if (part.text !== undefined) {
          const where = kinesisDeadLetterSource(decoded.ref, part.subSequenceNumber);
          const err = { reason: part.reason, message: part.error };
          rejected.push(
            ...overflowRecords(deps.config, decoded.ref.sequenceNumber, source, where, [
              textPart(err, part.text),
            ]),
          );
          continue;
        }
        rejected.push({
          recordId: decoded.ref.sequenceNumber,
          error: part.error,
          reason: `decode_${part.reason}`,
          raw: part.raw,
          source: kinesisDeadLetterSource(decoded.ref, part.subSequenceNumber),
        });
      }
      rejected.push(
        ...overflowRecords(
          deps.config,
          decoded.ref.sequenceNumber,
          source,
          kinesisDeadLetterSource(decoded.ref),
          decoded.overflow,
        ),
      );
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      rejected.push(unshapedRecord(record, i, err));
    }
  }
  if (events.length > 0 || rejected.length > 0 || slices === 0) await deliver();
  while (inFlight.length > 0) await settle();
  await alertDelivered(report, delivered, deps, deadline);
  return { report, records };
}
