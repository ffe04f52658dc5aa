// CloudWatch metrics (EMF, through Powertools) of a delivered batch, shared by the ingest handlers.
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** Namespace the dashboard and alarms in serverless.yml read. */
export const METRICS_NAMESPACE = 'logferry';

/** The metric names, in one place for the handlers, the dashboard and the alarms. */
export const METRIC = {
  eventsIn: 'EventsIn',
  documentsIndexed: 'DocumentsIndexed',
  deadLettered: 'DeadLettered',
  recordsRetried: 'RecordsRetried',
  recordsDeferred: 'RecordsDeferred',
  dropped: 'DroppedByRule',
  alertsSent: 'AlertsSent',
  alertsSuppressed: 'AlertsSuppressed',
  alertsDropped: 'AlertsDropped',
  bulkLatency: 'BulkLatency',
  batchAge: 'BatchAge',
} as const;

/** What the batch metrics are read from: a BatchSummary (shared/report.ts), alert counts when it has them. */
export interface BatchMetricsInput {
  events: number;
  documents: number;
  indexed: number;
  deadLettered: number;
  /** Records handed back to AWS to deliver again. */
  retry: number;
  /** Of those, records not attempted (past the batch caps or the deadline) rather than failed. */
  deferred?: number;
  dropped?: Record<string, number>;
  oldestEventTime?: number;
  indexMs?: number;
  alerts?: { sent?: number; suppressed?: number; dropped?: number };
}

/**
 * One Metrics per handler module. `stage` is a default dimension so dev and prod in one account stay
 * apart; the alarms in serverless.yml use the same two dimensions (service, stage).
 *
 * @example
 * const metrics = createMetrics({ stage: process.env.LOGFERRY_STAGE ?? 'dev' });
 */
export function createMetrics(opts: {
  stage: string;
  service?: string;
  namespace?: string;
}): Metrics {
  return new Metrics({
    namespace: opts.namespace ?? METRICS_NAMESPACE,
    serviceName: opts.service ?? 'logferry',
    defaultDimensions: { stage: opts.stage },
  });
}

/**
 * Adds a batch's metrics; the handler's `logMetrics` middleware flushes them as one EMF line.
 * Drops are also emitted per rule (dimension `rule`): rules are few and named in logferry.yml.
 *
 * @example
 * recordBatchMetrics(metrics, summarize(report));
 */
export function recordBatchMetrics(
  metrics: Metrics,
  summary: BatchMetricsInput,
  now = Date.now(),
): void {
  const count = (name: string, value: number) => metrics.addMetric(name, MetricUnit.Count, value);
  count(METRIC.eventsIn, summary.events);
  count(METRIC.documentsIndexed, summary.indexed);
  count(METRIC.deadLettered, summary.deadLettered);
  count(METRIC.recordsRetried, summary.retry - (summary.deferred ?? 0));
  count(METRIC.recordsDeferred, summary.deferred ?? 0);
  const dropped = Object.entries(summary.dropped ?? {});
  count(
    METRIC.dropped,
    dropped.reduce((n, [, v]) => n + v, 0),
  );
  for (const [rule, value] of dropped) {
    if (value === 0) continue;
    const single = metrics.singleMetric();
    single.addDimension('rule', rule);
    single.addMetric(METRIC.dropped, MetricUnit.Count, value);
  }
  if (summary.alerts) {
    count(METRIC.alertsSent, summary.alerts.sent ?? 0);
    count(METRIC.alertsSuppressed, summary.alerts.suppressed ?? 0);
    count(METRIC.alertsDropped, summary.alerts.dropped ?? 0);
  }
  // Latency of an empty batch would only drag the average down.
  if (summary.documents > 0 && summary.indexMs !== undefined) {
    metrics.addMetric(METRIC.bulkLatency, MetricUnit.Milliseconds, summary.indexMs);
  }
  if (summary.oldestEventTime !== undefined) {
    metrics.addMetric(
      METRIC.batchAge,
      MetricUnit.Milliseconds,
      Math.max(0, now - summary.oldestEventTime),
    );
  }
}
