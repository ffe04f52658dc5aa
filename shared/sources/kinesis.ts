// Source adapter for Kinesis stream events: decode each record, run the batch, build the partial batch response.
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { boundedStringify } from '#shared/bounded-json.ts';
import type { Config } from '#shared/config/schema.ts';
import { decodeKinesisRecord, type KinesisRecordRef } from '#shared/decode/kinesis.ts';
import { type BatchCaps, batchCaps, decodeLimits } from '#shared/decode/limits.ts';
import type { Enricher } from '#shared/enrich/enrich.ts';
import { DecodeError } from '#shared/errors.ts';
import { alertDelivered, type RejectedRecord } from '#shared/pipeline/deliver.ts';
import { type BatchReport, worsen } from '#shared/pipeline/outcome.ts';
import { createSliceDelivery, SLICE_TEXT } from '#shared/pipeline/slices.ts';
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
 * One invocation takes at most `decode.max_events_per_batch` events and `decode.max_bytes_per_batch`
 * of text, and starts no record it could not deliver before the deadline: the record past either
 * and those after it are `deferred`, named in `batchItemFailures`, and come first in the next batch.
 * Deferring, not dead-lettering: the records lose nothing and need no redrive, and their bytes
 * never reach S3 unmasked. It always ends: the first record is always taken whole (the schema keeps
 * the batch caps at or above the record caps), so each redelivery moves the checkpoint on.
 *
 * @example
 * const { report, records } = await ingestKinesis(event, { config, sinks, region }, deadline);
 * return kinesisResponse(records, report);
 */
export async function ingestKinesis(
  event: KinesisStreamEvent,
  deps: {
    config: Config;
    sinks: Sinks;
    region?: string;
    now?: () => number;
    sliceText?: number;
    enrich?: Enricher;
  },
  deadline: number,
): Promise<KinesisIngestResult> {
  const records: KinesisStreamRecord[] = Array.isArray(event?.Records) ? event.Records : [];
  const sliceText = deps.sliceText ?? SLICE_TEXT;
  const now = deps.now ?? Date.now;
  const caps = batchCaps(deps.config);
  const taken = { records: 0, events: 0, text: 0 };
  let deferral: { from: number; why: string } | undefined;
  const slices = createSliceDelivery(deps, deadline, now);
  for (const [i, record] of records.entries()) {
    // No record is started that the slowest slice so far says could not be delivered in time.
    if (taken.records > 0 && now() + slices.slowestMs >= deadline) {
      deferral = { from: i, why: 'too little time left before the deadline' };
      break;
    }
    try {
      const decoded = decodeKinesisRecord(record, {
        maxBytes: deps.config.decode.max_decompressed_bytes,
        region: deps.region,
        limits: decodeLimits(deps.config),
      });
      let recordText = 0;
      for (const e of decoded.events) recordText += e.message.length;
      for (const o of decoded.overflow) for (const c of o.chunks) recordText += c.length;
      const over =
        taken.records > 0 ? pastCaps(taken, decoded.events.length, recordText, caps) : '';
      if (over) {
        deferral = { from: i, why: over };
        break;
      }
      taken.records++;
      taken.events += decoded.events.length;
      taken.text += recordText;
      // The slice so far goes first when this record would take it past a limit: a document's
      // objects cost more than its text, so short lines count by number too.
      const { pending } = slices;
      if (
        (pending.text > 0 || pending.events > 0) &&
        (pending.text + recordText > sliceText ||
          pending.events + decoded.events.length > SLICE_EVENTS)
      )
        await slices.deliver();
      const rejected: RejectedRecord[] = [];
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
      slices.add(decoded.events, rejected, recordText);
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      taken.records++;
      slices.add([], [unshapedRecord(record, i, err)], 0);
    }
  }
  // Records with no sequence number cannot be named in batchItemFailures: the ones before the
  // first deferred record that has one are dead-lettered now, or the checkpoint would skip them.
  let from = deferral?.from ?? records.length;
  for (; from < records.length && !records[from]?.kinesis?.sequenceNumber; from++) {
    const err = new DecodeError('Kinesis record has no kinesis.sequenceNumber', 'shape');
    slices.add([], [unshapedRecord(records[from]!, from, err)], 0);
  }
  const { report, delivered } = await slices.finish();
  if (deferral && from < records.length) deferRecords(report, records.slice(from), deferral.why);
  await alertDelivered(report, delivered, deps, deadline);
  return { report, records };
}

/**
 * Why a record of `events` events and `text` of text must wait for the next batch, or '' when the
 * batch may still take it.
 */
function pastCaps(
  taken: { events: number; text: number },
  events: number,
  text: number,
  caps: BatchCaps,
): string {
  if (taken.events + events > caps.events)
    return `the batch reached ${caps.events} events (decode.max_events_per_batch)`;
  if (taken.text + text > caps.text)
    return `the batch reached ${caps.text} characters of text (decode.max_bytes_per_batch)`;
  return '';
}

/**
 * Marks the records left untouched `deferred`, so kinesisResponse names the first of them: Lambda
 * checkpoints the batch up to it and delivers it again first in the next batch, which always takes
 * its first record whole. Every redelivery moves the checkpoint on; it is not retried forever.
 */
function deferRecords(report: BatchReport, left: readonly KinesisStreamRecord[], why: string) {
  for (const record of left) {
    const seq = record?.kinesis?.sequenceNumber;
    if (!seq) continue;
    worsen(report.outcomes, seq, 'deferred');
    report.deferred++;
  }
  report.errors.push(`${report.deferred} records left for the next batch: ${why}`);
}
