// The summary a handler returns and logs for a batch: counts only, never log content.
import type { BatchReport } from '#shared/pipeline/deliver.ts';

/** The report without per-record state: what a handler returns, logs and turns into metrics. */
export type BatchSummary = Omit<BatchReport, 'outcomes' | 'pending'> & {
  /** Records to be redelivered by AWS. */
  retry: number;
};

export function summarize(report: BatchReport): BatchSummary {
  const { outcomes, pending: _pending, ...counts } = report;
  let retry = 0;
  for (const outcome of outcomes.values()) if (outcome === 'retry') retry++;
  return { ...counts, retry };
}
