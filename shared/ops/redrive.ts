// Sends what failed back through the pipeline: dead-letter rows and Lambda on-failure destination records.
import type { CloudWatchLogsEvent, KinesisStreamRecord } from 'aws-lambda';
import type { Config } from '#shared/config/schema.ts';
import { decodeCloudWatchLogsData } from '#shared/decode/cloudwatch-logs.ts';
import { decodeKinesisRecord } from '#shared/decode/kinesis.ts';
import { DecodeError, errorMessage } from '#shared/errors.ts';
import type { LogDocument, Routed } from '#shared/model.ts';
import { kinesisResponse, recordsToRetry } from '#shared/pipeline/outcome.ts';
import type { IndexSink, Sinks } from '#shared/sinks/types.ts';
import { ingestCloudWatchLogs } from '#shared/sources/cloudwatch-logs.ts';
import { ingestKinesis } from '#shared/sources/kinesis.ts';
import { eventShape } from '#shared/sources/shape.ts';

/** A row of a `dead-letter/` object, as shared/sinks/s3.ts writes it. */
export interface DeadLetterRow {
  document?: LogDocument;
  raw?: string;
  error: { message: string; reason: string };
  attempts: number;
  record_id: string;
  source?: Record<string, unknown>;
  failed_at?: string;
}

/**
 * delivered: indexed (and archived) now; failed: refused again for good (stays dead-lettered);
 * retry: a transient failure (run again later); skipped: nothing logferry can send again.
 */
export type RedriveOutcome = 'delivered' | 'failed' | 'retry' | 'skipped';

export interface RedriveResult {
  outcome: RedriveOutcome;
  error?: string;
}

export interface RedriveDeps {
  config: Config;
  /** The pipeline's sinks, for payloads that go through decode and transform again. */
  sinks: Sinks;
  /** Indexes stored documents as they are: no degraded copy (the one from the first try is already in). */
  documents: IndexSink;
  region?: string;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The Lambda Kinesis record a dead-lettered Kinesis payload came in, rebuilt from the row's `source`. */
export function kinesisRecordOf(row: DeadLetterRow): KinesisStreamRecord {
  const s = row.source ?? {};
  const arn =
    str(s.event_source_arn) ?? 'arn:aws:kinesis:us-east-1:000000000000:stream/unknown-stream';
  const seq = str(s.sequence_number) ?? row.record_id;
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: str(s.partition_key) ?? '',
      sequenceNumber: seq,
      data: row.raw ?? '',
      approximateArrivalTimestamp: Number(s.approximate_arrival_timestamp) || 0,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${str(s.shard_id) ?? 'shardId-000000000000'}:${seq}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: '',
    awsRegion: str(s.aws_region) ?? arn.split(':')[3] ?? 'us-east-1',
    eventSourceARN: arn,
  };
}

/**
 * Redrives dead-letter rows. Stored documents (refused by OpenSearch, or indexed degraded) are indexed
 * again as they are, under the same `_id`; raw payloads that could not be decoded are decoded again and,
 * if that now works, run through the whole pipeline. Same ids every time: redriving twice changes nothing.
 *
 * @example
 * const results = await redriveDeadLetters(rows, deps, Date.now() + 60_000);
 */
export async function redriveDeadLetters(
  rows: readonly DeadLetterRow[],
  deps: RedriveDeps,
  deadline: number,
): Promise<RedriveResult[]> {
  const results: RedriveResult[] = rows.map(() => ({
    outcome: 'skipped',
    error: 'no document or raw payload',
  }));
  const docs: { i: number; item: Routed }[] = [];
  for (const [i, row] of rows.entries()) {
    if (row.document) {
      const index = str(row.source?.index);
      if (!index) {
        results[i] = {
          outcome: 'skipped',
          error: 'dead-letter row has a document but no target index',
        };
        continue;
      }
      docs.push({
        i,
        item: {
          doc: row.document,
          index,
          raw: row.raw ?? row.document.message,
          recordId: row.record_id,
          group: '',
        },
      });
    } else if (row.raw !== undefined) {
      results[i] = await redrivePayload(row, deps, deadline);
    }
  }
  if (docs.length > 0) {
    const indexed = await deps.documents.index(
      docs.map((d) => d.item),
      deadline,
    );
    indexed.forEach((r, k) => {
      const { i } = docs[k]!;
      if (r.status === 'indexed') results[i] = { outcome: 'delivered' };
      else if (r.status === 'retry') results[i] = { outcome: 'retry', error: r.error };
      else results[i] = { outcome: 'failed', error: r.error };
    });
  }
  return results;
}

/** Decodes first: a payload that still cannot be decoded stays where it is instead of being dead-lettered twice. */
async function redrivePayload(
  row: DeadLetterRow,
  deps: RedriveDeps,
  deadline: number,
): Promise<RedriveResult> {
  const trigger = row.source?.trigger;
  // Text the pipeline masked (a record's excess, a payload refused after it decoded): reading it is
  // what it is kept for; the secrets it held are gone, so sending it again would index a mutilation.
  if (row.source?.raw_encoding === 'text')
    return { outcome: 'skipped', error: 'masked text, kept to be read: nothing to decode again' };
  const maxBytes = deps.config.decode.max_decompressed_bytes;
  if (trigger === 'kinesis') {
    const record = kinesisRecordOf(row);
    const decoded = decodeKinesisRecord(record, { maxBytes, region: deps.region });
    if (decoded.rejected.length > 0)
      return { outcome: 'failed', error: decoded.rejected[0]!.error };
    const { report } = await ingestKinesis({ Records: [record] }, deps, deadline);
    return recordsToRetry(report).length > 0
      ? { outcome: 'retry', error: 'not delivered before the deadline' }
      : { outcome: 'delivered' };
  }
  if (trigger === 'cloudwatch-logs') {
    try {
      decodeCloudWatchLogsData(row.raw, maxBytes);
    } catch (err) {
      if (err instanceof DecodeError) return { outcome: 'failed', error: err.message };
      throw err;
    }
    return redriveCloudWatchEvent({ awslogs: { data: row.raw ?? '' } }, deps, deadline);
  }
  return { outcome: 'skipped', error: `unknown trigger ${JSON.stringify(trigger)}` };
}

async function redriveCloudWatchEvent(
  event: CloudWatchLogsEvent,
  deps: RedriveDeps,
  deadline: number,
): Promise<RedriveResult> {
  const { report } = await ingestCloudWatchLogs(event, deps, deadline);
  if (recordsToRetry(report).length > 0)
    return { outcome: 'retry', error: report.errors[0] ?? 'not delivered' };
  return { outcome: 'delivered' };
}

/** `KinesisBatchInfo` of a Kinesis event source mapping's on-failure record: where the batch sits in the stream. */
export interface KinesisBatchInfo {
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  batchSize: number;
  streamArn: string;
}

/** What a Lambda on-failure destination message holds. */
export type OnFailureRecord =
  | { kind: 'cloudwatch-logs'; event: CloudWatchLogsEvent; functionArn?: string }
  | { kind: 'kinesis'; batch: KinesisBatchInfo; functionArn?: string }
  | { kind: 'unknown'; reason: string };

/**
 * Reads an on-failure destination message: an asynchronous invocation that failed every attempt carries
 * the original event in `requestPayload`; a Kinesis batch that ran out of retries carries only where it
 * is in the stream (`KinesisBatchInfo`), to be read back while the stream still retains it.
 */
export function parseOnFailureRecord(body: unknown): OnFailureRecord {
  if (typeof body !== 'object' || body === null)
    return { kind: 'unknown', reason: 'not a JSON object' };
  const b = body as Record<string, unknown>;
  const functionArn = str((b.requestContext as Record<string, unknown> | undefined)?.functionArn);
  if (b.KinesisBatchInfo && typeof b.KinesisBatchInfo === 'object') {
    return { kind: 'kinesis', batch: b.KinesisBatchInfo as KinesisBatchInfo, functionArn };
  }
  if (eventShape(b.requestPayload) === 'cloudwatch-logs') {
    return { kind: 'cloudwatch-logs', event: b.requestPayload as CloudWatchLogsEvent, functionArn };
  }
  return {
    kind: 'unknown',
    reason: 'neither a CloudWatch Logs requestPayload nor a KinesisBatchInfo',
  };
}

/**
 * Redrives one on-failure record. `readKinesis` reads a Kinesis batch back from its stream (the stream's
 * retention bounds how late that can be done).
 */
export async function redriveOnFailure(
  record: OnFailureRecord,
  deps: RedriveDeps & { readKinesis?: (batch: KinesisBatchInfo) => Promise<KinesisStreamRecord[]> },
  deadline: number,
): Promise<RedriveResult> {
  try {
    if (record.kind === 'cloudwatch-logs')
      return await redriveCloudWatchEvent(record.event, deps, deadline);
    if (record.kind === 'kinesis') {
      if (!deps.readKinesis) return { outcome: 'skipped', error: 'no Kinesis reader' };
      let records = await deps.readKinesis(record.batch);
      if (records.length === 0)
        return { outcome: 'failed', error: 'the batch is no longer in the stream' };
      // As Lambda would: what the batch caps deferred goes again from there, until none is left.
      for (;;) {
        const { report } = await ingestKinesis({ Records: records }, deps, deadline);
        const failed = kinesisResponse(records, report).batchItemFailures[0];
        if (!failed) return { outcome: 'delivered' };
        const at = records.findIndex((r) => r.kinesis.sequenceNumber === failed.itemIdentifier);
        if (report.outcomes.get(failed.itemIdentifier) !== 'deferred' || at <= 0)
          return { outcome: 'retry', error: `not delivered from ${failed.itemIdentifier}` };
        records = records.slice(at);
      }
    }
    return { outcome: 'skipped', error: record.reason };
  } catch (err) {
    return { outcome: 'retry', error: errorMessage(err) };
  }
}
