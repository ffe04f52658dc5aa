// Drives a batch through transform and sinks, and turns per-document results into per-record outcomes.
import { type AlertCounts, emptyAlertCounts } from '#shared/alerts/sink.ts';
import type { Config } from '#shared/config/schema.ts';
import { errorMessage } from '#shared/errors.ts';
import type { InputEvent, RecordOutcome, Routed } from '#shared/model.ts';
import { planArchive } from '#shared/sinks/archive-keys.ts';
import type { DeadLetterEntry, Sinks } from '#shared/sinks/types.ts';
import { transformEvents } from '#shared/transform/transform-events.ts';

/** A record that could not even be decoded; it goes straight to the dead-letter prefix. */
export interface RejectedRecord {
  recordId: string;
  error: string;
  reason: string;
  raw: string;
  source?: Record<string, unknown>;
}

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

const SEVERITY: Record<RecordOutcome, number> = { ok: 0, 'dead-letter': 1, retry: 2 };

function worsen(
  outcomes: Map<string, RecordOutcome>,
  recordId: string,
  outcome: RecordOutcome,
): void {
  const prev = outcomes.get(recordId) ?? 'ok';
  if (SEVERITY[outcome] > SEVERITY[prev]) outcomes.set(recordId, outcome);
}

type Deps = { config: Config; sinks: Sinks; now?: () => number };

/** A report with nothing in it yet, for merging slices into. */
export function emptyReport(): BatchReport {
  return {
    events: 0,
    documents: 0,
    indexed: 0,
    archived: 0,
    deadLettered: 0,
    degraded: 0,
    pending: 0,
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
  for (const [id, outcome] of from.outcomes) {
    if (into.outcomes.has(id)) worsen(into.outcomes, id, outcome);
    else into.outcomes.set(id, outcome);
  }
  for (const e of from.errors) if (!into.errors.includes(e)) into.errors.push(e);
}

/** A batch (or slice) delivered to the sinks, and what of it the alert stage still needs. */
export interface Delivery {
  report: BatchReport;
  /**
   * Documents of records that will not come back; only those an alert rule claims when the alert sink
   * can tell (`AlertSink.claims`), so a batch run in slices holds few of them until its end.
   */
  delivered: Routed[];
}

/**
 * Transforms the events, archives and indexes them in parallel, dead-letters what OpenSearch rejects
 * for good, and reports each record as ok, dead-lettered or to retry. Never throws for sink failures:
 * they become `retry` outcomes, which the handler turns into a throw or `batchItemFailures`.
 *
 * @example
 * const report = await runBatch(events, [], { config, sinks }, deadline);
 * if (report.pending > 0) throw new DeliveryError('…', report.pending);
 */
export async function runBatch(
  events: readonly InputEvent[],
  rejectedRecords: readonly RejectedRecord[],
  deps: Deps,
  deadline: number,
): Promise<BatchReport> {
  const { report, delivered } = await deliverBatch(events, rejectedRecords, deps, deadline, false);
  await alertDelivered(report, delivered, deps, deadline);
  return report;
}

/**
 * Slack alerts on the delivered documents of a whole batch (after every slice of it), into
 * `report.alerts`; never throws.
 */
export async function alertDelivered(
  report: BatchReport,
  delivered: readonly Routed[],
  deps: Pick<Deps, 'sinks'>,
  deadline: number,
): Promise<void> {
  if (!deps.sinks.alert) return;
  report.alerts = await deps.sinks.alert.alert(delivered, deadline).catch((err: unknown) => ({
    ...emptyAlertCounts(),
    errors: [`alert stage failed: ${errorMessage(err)}`],
  }));
}

/**
 * `runBatch` without the alert stage: for a batch run in slices, whose alerts wait for its last slice.
 * With `claimsOnly`, `delivered` keeps only the documents an alert rule claims.
 *
 * @example
 * const { report, delivered } = await deliverBatch(slice, rejected, deps, deadline, true);
 */
export async function deliverBatch(
  events: readonly InputEvent[],
  rejectedRecords: readonly RejectedRecord[],
  deps: Deps,
  deadline: number,
  claimsOnly: boolean,
): Promise<Delivery> {
  const now = deps.now ?? Date.now;
  const { routed, stats } = transformEvents(events, deps.config);
  const outcomes = new Map<string, RecordOutcome>();
  for (const e of events) if (!outcomes.has(e.recordId)) outcomes.set(e.recordId, 'ok');
  for (const r of rejectedRecords) worsen(outcomes, r.recordId, 'dead-letter');

  const report: BatchReport = {
    events: events.length,
    documents: routed.length,
    indexed: 0,
    archived: 0,
    deadLettered: 0,
    degraded: 0,
    pending: 0,
    unmatched: stats.unmatched,
    dropped: stats.dropped,
    oldestEventTime: events.reduce<number | undefined>(
      (min, e) => (min === undefined || e.timestamp < min ? e.timestamp : min),
      undefined,
    ),
    indexMs: 0,
    indices: {},
    archiveKeys: [],
    deadLetterKeys: [],
    outcomes,
    errors: [],
    alerts: emptyAlertCounts(),
  };

  const objects = deps.config.archive.enabled ? planArchive(routed) : [];
  const indexStart = now();
  const [archiveResult, indexResults] = await Promise.all([
    deps.sinks.archive.archive(objects, deadline).catch((err: unknown) => ({
      written: [] as string[],
      failed: objects.map((o) => ({ key: o.key, error: errorMessage(err) })),
    })),
    deps.sinks.index
      .index(routed, deadline)
      .catch((err: unknown) =>
        routed.map(() => ({ status: 'retry' as const, error: errorMessage(err) })),
      )
      .finally(() => {
        report.indexMs = now() - indexStart;
      }),
  ]);

  report.archiveKeys = archiveResult.written;
  const failedKeys = new Set(archiveResult.failed.map((f) => f.key));
  for (const obj of objects) {
    if (failedKeys.has(obj.key))
      for (const item of obj.items) worsen(outcomes, item.recordId, 'retry');
    else report.archived += obj.items.length;
  }
  for (const f of archiveResult.failed) report.errors.push(f.error);

  const deadLetters: DeadLetterEntry[] = rejectedRecords.map((r) => ({
    recordId: r.recordId,
    error: r.error,
    reason: r.reason,
    attempts: 1,
    raw: r.raw,
    source: r.source,
  }));
  indexResults.forEach((result, i) => {
    const item = routed[i]!;
    if (result.status === 'indexed' || result.status === 'degraded') {
      report.indexed++;
      report.indices[item.index] = (report.indices[item.index] ?? 0) + 1;
    }
    if (result.status === 'indexed') return;
    if (result.status === 'degraded') {
      // Searchable in its degraded form; the original, as the parser made it, waits in the dead-letter prefix.
      report.degraded++;
      deadLetters.push({
        recordId: item.recordId,
        error: `OpenSearch refused the document's mapping (HTTP ${result.statusCode}); indexed degraded: ${result.error}`,
        reason: 'mapping_degraded',
        attempts: 1,
        document: item.doc,
        raw: item.raw,
        source: { index: item.index },
      });
      worsen(outcomes, item.recordId, 'dead-letter');
    } else if (result.status === 'retry') {
      report.pending++;
      worsen(outcomes, item.recordId, 'retry');
      if (report.errors.length < 20 && !report.errors.includes(result.error))
        report.errors.push(result.error);
    } else {
      deadLetters.push({
        recordId: item.recordId,
        error: `OpenSearch rejected the document (HTTP ${result.statusCode}): ${result.error}`,
        reason: 'rejected',
        attempts: 1,
        document: item.doc,
        raw: item.raw,
        source: { index: item.index },
      });
      worsen(outcomes, item.recordId, 'dead-letter');
    }
  });

  if (deadLetters.length > 0) {
    try {
      report.deadLetterKeys = await deps.sinks.deadLetter.write(deadLetters, now());
      report.deadLettered = deadLetters.length;
    } catch (err) {
      // Nowhere safe to put them: the records must come back.
      report.errors.push(errorMessage(err));
      for (const d of deadLetters) worsen(outcomes, d.recordId, 'retry');
    }
  }
  const alert = deps.sinks.alert;
  if (!alert) return { report, delivered: [] };
  // Alerts come after delivery, and only for records that will not come back: a record AWS
  // redelivers alerts when it is finally delivered, so a retry can never alert twice.
  const delivered = routed.filter((r) => outcomes.get(r.recordId) !== 'retry');
  return { report, delivered: claimsOnly && alert.claims ? alert.claims(delivered) : delivered };
}

/** Records whose outcome is `retry`, in first-seen order. */
export function recordsToRetry(report: BatchReport): string[] {
  return [...report.outcomes].filter(([, o]) => o === 'retry').map(([id]) => id);
}
