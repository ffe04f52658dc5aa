// The summary a handler returns and logs for a batch: counts only, never log content.
import type { AlertCounts } from '#shared/alerts/sink.ts';
import type { BatchReport } from '#shared/pipeline/run.ts';

export interface BatchSummary {
  events: number;
  documents: number;
  indexed: number;
  archived: number;
  deadLettered: number;
  /** Indexed in a degraded form after a mapping conflict (also in `indexed`; originals dead-lettered). */
  degraded: number;
  retry: number;
  unmatched: number;
  /** Events dropped by rule name. */
  dropped: Record<string, number>;
  /** Epoch ms of the oldest event: batch age is now minus this. */
  oldestEventTime?: number;
  /** Time spent indexing, retries included. */
  indexMs: number;
  indices: Record<string, number>;
  archiveKeys: string[];
  deadLetterKeys: string[];
  errors: string[];
  /** Slack alerts: fingerprints sent, suppressed as already alerted, dropped; never webhook URLs. */
  alerts: AlertCounts;
}

export function summarize(report: BatchReport): BatchSummary {
  let retry = 0;
  for (const outcome of report.outcomes.values()) if (outcome === 'retry') retry++;
  return {
    events: report.events,
    documents: report.documents,
    indexed: report.indexed,
    archived: report.archived,
    deadLettered: report.deadLettered,
    degraded: report.degraded,
    retry,
    unmatched: report.unmatched,
    dropped: report.dropped,
    oldestEventTime: report.oldestEventTime,
    indexMs: report.indexMs,
    indices: report.indices,
    archiveKeys: report.archiveKeys,
    deadLetterKeys: report.deadLetterKeys,
    errors: report.errors,
    alerts: report.alerts,
  };
}
