// Drives a batch through transform and sinks, and records what each sink result means for its record (outcome.ts).
import type { Config } from '#shared/config/schema.ts';
import type { Enricher } from '#shared/enrich/enrich.ts';
import { errorMessage } from '#shared/errors.ts';
import type { InputEvent, Routed } from '#shared/model.ts';
import { planArchive } from '#shared/sinks/archive-keys.ts';
import { type DeadLetterEntry, emptyAlertCounts, type Sinks } from '#shared/sinks/types.ts';
import { transformEvents } from '#shared/transform/transform-events.ts';
import { type BatchReport, emptyReport, INDEX_OUTCOME, worsen } from './outcome.ts';

/** A record that could not even be decoded; it goes straight to the dead-letter prefix. */
export interface RejectedRecord {
  recordId: string;
  error: string;
  reason: string;
  raw: string;
  source?: Record<string, unknown>;
}

/** What delivering a batch needs: the configuration, the sinks, and optionally a clock and the enricher. */
export type DeliverDeps = { config: Config; sinks: Sinks; now?: () => number; enrich?: Enricher };

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
 * return asyncResponse(report); // throws when a record must come again
 */
export async function runBatch(
  events: readonly InputEvent[],
  rejectedRecords: readonly RejectedRecord[],
  deps: DeliverDeps,
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
  deps: Pick<DeliverDeps, 'sinks'>,
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
  deps: DeliverDeps,
  deadline: number,
  claimsOnly: boolean,
): Promise<Delivery> {
  const now = deps.now ?? Date.now;
  const { routed, stats } = transformEvents(events, deps.config, { enrich: deps.enrich });
  const report: BatchReport = {
    ...emptyReport(),
    events: events.length,
    documents: routed.length,
    unmatched: stats.unmatched,
    dropped: stats.dropped,
    oldestEventTime: events.reduce<number | undefined>(
      (min, e) => (min === undefined || e.timestamp < min ? e.timestamp : min),
      undefined,
    ),
  };
  const { outcomes } = report;
  for (const e of events) if (!outcomes.has(e.recordId)) outcomes.set(e.recordId, 'ok');
  for (const r of rejectedRecords) worsen(outcomes, r.recordId, 'dead-letter');

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
    worsen(outcomes, item.recordId, INDEX_OUTCOME[result.status]);
    if (result.status === 'indexed' || result.status === 'degraded') {
      report.indexed++;
      report.indices[item.index] = (report.indices[item.index] ?? 0) + 1;
    }
    if (result.status === 'retry') {
      report.pending++;
      if (report.errors.length < 20 && !report.errors.includes(result.error))
        report.errors.push(result.error);
    } else if (result.status !== 'indexed') {
      // Searchable in its degraded form, or not at all: the document as the parser made it waits in
      // the dead-letter prefix either way.
      if (result.status === 'degraded') report.degraded++;
      deadLetters.push({
        recordId: item.recordId,
        error:
          result.status === 'degraded'
            ? `OpenSearch refused the document's mapping (HTTP ${result.statusCode}); indexed degraded: ${result.error}`
            : `OpenSearch rejected the document (HTTP ${result.statusCode}): ${result.error}`,
        reason: result.status === 'degraded' ? 'mapping_degraded' : 'rejected',
        attempts: 1,
        document: item.doc,
        raw: item.raw,
        source: { index: item.index },
      });
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
