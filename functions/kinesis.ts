// Lambda entry point for Kinesis streams (ReportBatchItemFailures); the pipeline itself lives in shared/.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, KinesisStreamEvent } from 'aws-lambda';
import { fetchWebhooks } from '#shared/alerts/webhooks.ts';
import { readRuntimeEnv } from '#shared/config/env.ts';
import { createMetrics, recordBatchMetrics } from '#shared/observability/metrics.ts';
import { summarize } from '#shared/report.ts';
import { createRuntime, deadlineFrom } from '#shared/runtime.ts';
import { BATCH_SUMMARY, ingestKinesis, type KinesisResponse } from '#shared/sources/kinesis.ts';

const logger = new Logger({ serviceName: 'logferry' });
// Read once per cold start: a bad logferry.yml or environment fails here, loudly, before any event.
const env = readRuntimeEnv(process.env);
const runtime = createRuntime(env);
const metrics = createMetrics({ stage: process.env.LOGFERRY_STAGE ?? 'local' });

const lambdaHandler = async (
  event: KinesisStreamEvent,
  context: Context,
): Promise<KinesisResponse> => {
  const deadline = deadlineFrom(
    context.getRemainingTimeInMillis(),
    runtime.config.opensearch.deadline_margin_ms,
  );
  const { report, response, records } = await ingestKinesis(
    event,
    { ...runtime, region: env.region },
    deadline,
  );
  const summary = summarize(report);
  recordBatchMetrics(metrics, summary);
  if (summary.alerts.dropped > 0 || summary.alerts.errors.length > 0) {
    logger.warn('Slack alerts not all sent; the batch is delivered regardless', {
      records,
      alerts: summary.alerts,
    });
  }
  const failed = response.batchItemFailures[0]?.itemIdentifier;
  if (failed) {
    // Lambda checkpoints before this record and redelivers from it; bisect and retry limits bound the loop.
    logger.error('batch partly delivered; Lambda will retry from the first failed record', {
      records,
      firstFailedSequenceNumber: failed,
      ...summary,
    });
  } else if (summary.deadLettered > 0) {
    logger.warn('batch delivered; some records dead-lettered', { records, ...summary });
  } else {
    logger.info('batch delivered', { records, ...summary });
  }
  // Lambda serialises the response with JSON.stringify, which drops the symbol key: it sees only
  // batchItemFailures, while replay and tests read the summary.
  return Object.assign(response, { [BATCH_SUMMARY]: summary });
};

export const handler = middy(lambdaHandler)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  // Starts fetching the Slack webhook URLs (SSM / Secrets Manager, cached); indexing never waits for them.
  .use(fetchWebhooks(runtime.webhooks, { region: env.region, endpoint: env.awsEndpoint }));
