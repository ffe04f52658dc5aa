// Lambda entry point for CloudWatch Logs subscription filters; the pipeline itself lives in shared/.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { CloudWatchLogsEvent, Context } from 'aws-lambda';
import { fetchWebhooks } from '#shared/alerts/webhooks.ts';
import { readRuntimeEnv } from '#shared/config/env.ts';
import { DeliveryError } from '#shared/errors.ts';
import { createMetrics, recordBatchMetrics } from '#shared/observability/metrics.ts';
import { recordsToRetry } from '#shared/pipeline/deliver.ts';
import { type BatchSummary, summarize } from '#shared/report.ts';
import { createRuntime, deadlineFrom } from '#shared/runtime.ts';
import { ingestCloudWatchLogs } from '#shared/sources/cloudwatch-logs.ts';

const logger = new Logger({ serviceName: 'logferry' });
// Read once per cold start: a bad logferry.yml or environment fails here, loudly, before any event.
const env = readRuntimeEnv(process.env);
const runtime = createRuntime(env);
const metrics = createMetrics({ stage: process.env.LOGFERRY_STAGE ?? 'local' });

const lambdaHandler = async (
  event: CloudWatchLogsEvent,
  context: Context,
): Promise<BatchSummary> => {
  const deadline = deadlineFrom(
    context.getRemainingTimeInMillis(),
    runtime.config.opensearch.deadline_margin_ms,
  );
  const result = await ingestCloudWatchLogs(event, { ...runtime, region: env.region }, deadline);
  const summary = summarize(result.report);
  recordBatchMetrics(metrics, summary);
  const where = {
    logGroup: result.logGroup,
    logStream: result.logStream,
    messageType: result.messageType,
  };
  if (summary.alerts.dropped > 0 || summary.alerts.errors.length > 0) {
    logger.warn('Slack alerts not all sent; the batch is delivered regardless', {
      ...where,
      alerts: summary.alerts,
    });
  }
  if (result.messageType === 'INVALID') {
    logger.error('payload could not be decoded; dead-lettered', { ...where, ...summary });
  }
  if (recordsToRetry(result.report).length > 0) {
    logger.error('batch not delivered; AWS will retry it', { ...where, ...summary });
    // CloudWatch Logs invokes asynchronously: throwing makes Lambda retry, then the on-failure destination.
    throw new DeliveryError(
      `${summary.documents - summary.indexed} of ${summary.documents} documents not delivered: ${summary.errors[0] ?? 'unknown error'}`,
      summary.documents - summary.indexed,
    );
  }
  logger.info('batch delivered', { ...where, ...summary });
  return summary;
};

export const handler = middy(lambdaHandler)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  // Starts fetching the Slack webhook URLs (SSM / Secrets Manager, cached); indexing never waits for them.
  .use(fetchWebhooks(runtime.webhooks, { region: env.region, endpoint: env.awsEndpoint }));
