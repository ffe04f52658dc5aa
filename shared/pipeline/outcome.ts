// What became of each record of a batch (ok / retry / dead-letter), the batch report and summary, and the answer each trigger expects.
import type { KinesisStreamBatchResponse, KinesisStreamRecord, SQSBatchResponse } from 'aws-lambda';
import { DeliveryError } from '#shared/errors.ts';
import { type AlertCounts, emptyAlertCounts, type IndexResult } from '#shared/sinks/types.ts';

/**
 * - `ok`: every document of the record is indexed (and archived): acknowledge it.
 * - `dead-letter`: something of it could never be indexed as it is (undecodable, refused by OpenSearch,
 *   degraded after a mapping conflict) and sits in the S3 dead-letter prefix: acknowledge it too, as
 *   retrying cannot help.
 * - `retry`: something may still pass (429, 5xx, timeout, S3 down): AWS must deliver it again.
 * - `deferred`: not attempted in this invocation, the batch being full (`decode.max_*_per_batch`) or
 *   its time short: AWS delivers it again, first of the next batch (Kinesis only).
 */
export type RecordOutcome = 'ok' | 'retry' | 'dead-letter' | 'deferred';

/** A record's outcome is its worst document's: one document to retry makes the whole record come back. */
const SEVERITY: Record<RecordOutcome, number> = { ok: 0, 'dead-letter': 1, retry: 2, deferred: 3 };

/** Outcomes that make AWS deliver a record again. */
function comesBack(outcome: RecordOutcome | undefined): boolean {
  return outcome === 'retry' || outcome === 'deferred';
}

/** The record outcome an index result leads to. */
export const INDEX_OUTCOME: Record<IndexResult['status'], RecordOutcome> = {
  indexed: 'ok',
  degraded: 'dead-letter',
  rejected: 'dead-letter',
  retry: 'retry',
};

export interface BatchReport {
  events: number;
  documents: number;
  indexed: number;
  archived: number;
  deadLettered: number;
  /** Documents indexed in a degraded form after a mapping conflict (counted in `indexed`; originals dead-lettered). */
  degraded: number;
  /** Documents not delivered before the deadline; their records must be redelivered. */
  pending: number;
  /** Records left for the next invocation (outcome `deferred`): past the batch caps or the deadline. */
  deferred: number;
  unmatched: number;
  /** Events a drop rule removed, by rule name (counted, not failures). */
  dropped: Record<string, number>;
  /** Transport time (epoch ms) of the oldest event, for the batch-age metric; undefined when empty. */
  oldestEventTime?: number;
  /**
   * Wall time of the index sink call, its retries included, in milliseconds; for a batch delivered in
   * slices, summed over them (two may overlap).
   */
  indexMs: number;
  indices: Record<string, number>;
  archiveKeys: string[];
  deadLetterKeys: string[];
  /** Outcome per record id, in first-seen order. */
  outcomes: Map<string, RecordOutcome>;
  errors: string[];
  /** Slack alerts on the delivered documents (zero when no alert sink is wired). */
  alerts: AlertCounts;
}

/** Sets a record's outcome unless it already has a worse one; a record seen first keeps its place in the order. */
export function worsen(
  outcomes: Map<string, RecordOutcome>,
  recordId: string,
  outcome: RecordOutcome,
): void {
  const prev = outcomes.get(recordId);
  if (prev === undefined || SEVERITY[outcome] > SEVERITY[prev]) outcomes.set(recordId, outcome);
}

/** A report with nothing in it yet, for a batch to fill or slices to merge into. */
export function emptyReport(): BatchReport {
  return {
    events: 0,
    documents: 0,
    indexed: 0,
    archived: 0,
    deadLettered: 0,
    degraded: 0,
    pending: 0,
    deferred: 0,
    unmatched: 0,
    dropped: {},
    indexMs: 0,
    indices: {},
    archiveKeys: [],
    deadLetterKeys: [],
    outcomes: new Map(),
    errors: [],
    alerts: emptyAlertCounts(),
  };
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
}

/**
 * Adds the report of one slice of a batch to `into`. Slices hold whole records, so an outcome is
 * final in the slice that reports it; first-seen order (batch order) is kept.
 */
export function mergeReport(into: BatchReport, from: BatchReport): void {
  into.events += from.events;
  into.documents += from.documents;
  into.indexed += from.indexed;
  into.archived += from.archived;
  into.deadLettered += from.deadLettered;
  into.degraded += from.degraded;
  into.pending += from.pending;
  into.deferred += from.deferred;
  into.unmatched += from.unmatched;
  addCounts(into.dropped, from.dropped);
  if (
    from.oldestEventTime !== undefined &&
    (into.oldestEventTime === undefined || from.oldestEventTime < into.oldestEventTime)
  ) {
    into.oldestEventTime = from.oldestEventTime;
  }
  into.indexMs += from.indexMs;
  addCounts(into.indices, from.indices);
  into.archiveKeys.push(...from.archiveKeys);
  into.deadLetterKeys.push(...from.deadLetterKeys);
  for (const [id, outcome] of from.outcomes) worsen(into.outcomes, id, outcome);
  for (const e of from.errors) if (!into.errors.includes(e)) into.errors.push(e);
}

/** Records AWS must deliver again (outcome `retry` or `deferred`), in first-seen order. */
export function recordsToRetry(report: Pick<BatchReport, 'outcomes'>): string[] {
  return [...report.outcomes].filter(([, o]) => comesBack(o)).map(([id]) => id);
}

/** The report without per-record state: what a handler returns, logs and turns into metrics. */
export type BatchSummary = Omit<BatchReport, 'outcomes' | 'pending'> & {
  /** Records to be redelivered by AWS: failures to retry and records deferred (`deferred` of them). */
  retry: number;
};

/** Counts only, never log content. */
export function summarize(report: BatchReport): BatchSummary {
  const { outcomes: _outcomes, pending: _pending, ...counts } = report;
  return { ...counts, retry: recordsToRetry(report).length };
}

/**
 * Where a Kinesis response carries its batch summary. Lambda serialises the response with
 * JSON.stringify, which leaves symbol keys out: in-process callers (replay, tests, the local event
 * loop) read the summary, while Lambda sees nothing but `batchItemFailures`.
 */
export const BATCH_SUMMARY = Symbol.for('logferry.batchSummary');

export type KinesisResponse = KinesisStreamBatchResponse & { [BATCH_SUMMARY]?: BatchSummary };

/**
 * The partial batch response: the first record (in batch order) that must be retried or was
 * deferred, so Lambda checkpoints every record before it and redelivers from there. Later records
 * come back too; their ids are deterministic, so indexing them again changes nothing. Dead-lettered records are
 * acknowledged: a poison record never blocks its shard.
 *
 * @example
 * return kinesisResponse(event.Records, report);
 */
export function kinesisResponse(
  records: readonly KinesisStreamRecord[],
  report: BatchReport,
  summary: BatchSummary = summarize(report),
): KinesisResponse {
  let batchItemFailures: KinesisStreamBatchResponse['batchItemFailures'] = [];
  for (const record of records) {
    const seq = record?.kinesis?.sequenceNumber;
    if (seq && comesBack(report.outcomes.get(seq))) {
      batchItemFailures = [{ itemIdentifier: seq }];
      break;
    }
  }
  return { batchItemFailures, [BATCH_SUMMARY]: summary };
}

export type SqsResponse = SQSBatchResponse & { [BATCH_SUMMARY]?: BatchSummary };

/**
 * The SQS partial batch response: every message to retry is listed, since SQS makes each listed
 * message visible again on its own and deletes the others (unlike a Kinesis shard, nothing is
 * checkpointed in order). Dead-lettered messages are deleted: a corrupt object never comes back.
 *
 * @example
 * return sqsResponse(messageIds, report);
 */
export function sqsResponse(
  messageIds: readonly string[],
  report: BatchReport,
  summary: BatchSummary = summarize(report),
): SqsResponse {
  const batchItemFailures = messageIds
    .filter((id) => comesBack(report.outcomes.get(id)))
    .map((id) => ({ itemIdentifier: id }));
  return { batchItemFailures, [BATCH_SUMMARY]: summary };
}

/**
 * The answer to an asynchronous invocation (CloudWatch Logs; S3 and EventBridge notifications): its
 * summary, or a DeliveryError when anything of it must come again. A throw is how Lambda learns to
 * retry an asynchronous invocation (and, past its retries, to send the event to the on-failure
 * destination); the whole invocation comes back, and its ids make what was already indexed harmless
 * to send again.
 *
 * @example
 * return asyncResponse(report);
 */
export function asyncResponse(
  report: BatchReport,
  summary: BatchSummary = summarize(report),
): BatchSummary {
  if (summary.retry === 0) return summary;
  const why = report.errors[0] ?? 'unknown error';
  throw new DeliveryError(
    `${report.pending} of ${report.documents} documents not indexed in time` +
      `${report.pending === 0 ? ' (all indexed, but not stored safely)' : ''}: ${why}`,
    report.pending,
  );
}
