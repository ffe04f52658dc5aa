// What every ingest function's entry point shares: logger, environment, sinks and metrics made once per cold start, the middy chain, the batch log line and metrics.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { fetchWebhooks } from '#shared/alerts/webhooks.ts';
import { ingestEnv, readEnv } from '#shared/config/env.ts';
import { loadValidatedConfig } from '#shared/config/file.ts';
import type { Config } from '#shared/config/schema.ts';
import type { Enricher } from '#shared/enrich/enrich.ts';
import { createMetrics, recordBatchMetrics } from '#shared/observability/metrics.ts';
import {
  type BatchReport,
  type BatchSummary,
  recordsToRetry,
  summarize,
} from '#shared/pipeline/outcome.ts';
import { createRuntime } from '#shared/runtime.ts';
import type { Sinks } from '#shared/sinks/types.ts';

/** What a source adapter is handed: the configuration, the sinks, the region of the function and the enrichment. */
export interface IngestDeps {
  config: Config;
  sinks: Sinks;
  region: string;
  enrich?: Enricher;
}

/** What a handler body hands back: the batch report, where it came from (for the log line), and the answer. */
export interface Handled<R> {
  report: BatchReport;
  where: Record<string, unknown>;
  respond(summary: BatchSummary): R;
}

/** The time by which sinks must be done: the Lambda's remaining time less a safety margin. */
export function deadlineFrom(remainingMs: number, marginMs: number, now = Date.now()): number {
  return now + Math.max(1000, remainingMs - marginMs);
}

/**
 * Wraps an ingest handler body. At cold start (module load, as Lambda does it) it reads the
 * environment and the validated logferry.json and builds the sinks: a bad configuration fails there,
 * loudly, before any event. Per invocation it computes the deadline, runs the body, records the
 * batch metrics, logs one line by outcome (counts only, never log content) and returns the body's
 * answer, which may be a throw (CloudWatch Logs) or `batchItemFailures` (Kinesis).
 *
 * @example
 * export const handler = createIngestHandler(async (event: KinesisStreamEvent, deps, deadline) => {
 *   const { report, records } = await ingestKinesis(event, deps, deadline);
 *   return { report, where: {}, respond: (summary) => kinesisResponse(records, report, summary) };
 * });
 */
export function createIngestHandler<E, R>(
  body: (event: E, deps: IngestDeps, deadline: number) => Promise<Handled<R>>,
) {
  const logger = new Logger({ serviceName: 'logferry' });
  const env = ingestEnv(readEnv(process.env));
  const runtime = createRuntime(env, loadValidatedConfig(env.configFile));
  const metrics = createMetrics({ stage: env.stage, service: env.service });
  const deps: IngestDeps = {
    config: runtime.config,
    sinks: runtime.sinks,
    region: env.region,
    enrich: runtime.enrich,
  };
  const margin = runtime.config.opensearch.deadline_margin_ms;

  const handler = async (event: E, context: Context): Promise<R> => {
    const deadline = deadlineFrom(context.getRemainingTimeInMillis(), margin);
    const { report, where, respond } = await body(event, deps, deadline);
    const summary = summarize(report);
    recordBatchMetrics(metrics, summary);
    if (summary.alerts.dropped > 0 || summary.alerts.errors.length > 0)
      logger.warn('Slack alerts not all sent; the batch is delivered regardless', {
        ...where,
        alerts: summary.alerts,
      });
    if (summary.retry > summary.deferred)
      logger.error('batch not fully delivered; AWS will deliver the records again', {
        ...where,
        firstRecordToRetry: recordsToRetry(report)[0],
        ...summary,
      });
    else if (summary.deferred > 0)
      logger.warn('batch delivered up to its caps; AWS delivers the rest in the next batch', {
        ...where,
        firstRecordToRetry: recordsToRetry(report)[0],
        ...summary,
      });
    else if (summary.deadLettered > 0)
      logger.warn('batch delivered; some of it dead-lettered', { ...where, ...summary });
    else logger.info('batch delivered', { ...where, ...summary });
    return respond(summary);
  };
  const wrapped = middy(handler).use(injectLambdaContext(logger)).use(logMetrics(metrics));
  // Starts fetching the Slack webhook URLs (SSM / Secrets Manager, cached); indexing never waits for them.
  return runtime.webhooks
    ? wrapped.use(
        fetchWebhooks(runtime.webhooks, { region: env.region, endpoint: env.awsEndpoint }),
      )
    : wrapped;
}
