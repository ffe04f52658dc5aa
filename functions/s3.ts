// Lambda entry point for S3 objects announced through SQS (ReportBatchItemFailures), EventBridge or S3; the pipeline itself lives in shared/.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import { fetchWebhooks } from '#shared/alerts/webhooks.ts';
import { createS3Client } from '#shared/clients/s3.ts';
import { createS3ObjectStore, createSqsResumeQueue } from '#shared/clients/s3-objects.ts';
import { readRuntimeEnv } from '#shared/config/env.ts';
import { DeliveryError } from '#shared/errors.ts';
import { createMetrics, recordBatchMetrics } from '#shared/observability/metrics.ts';
import { type BatchSummary, summarize } from '#shared/report.ts';
import { createRuntime, deadlineFrom } from '#shared/runtime.ts';
import { BATCH_SUMMARY } from '#shared/sources/kinesis.ts';
import { ingestS3 } from '#shared/sources/s3.ts';

const logger = new Logger({ serviceName: 'logferry' });
// Read once per cold start: a bad logferry.yml or environment fails here, loudly, before any event.
const env = readRuntimeEnv(process.env);
const runtime = createRuntime(env);
const metrics = createMetrics({ stage: process.env.LOGFERRY_STAGE ?? 'local' });
const aws = { region: env.region, endpoint: env.awsEndpoint };
const objects = createS3ObjectStore(createS3Client(aws));
// The queue this function reads: objects too large for one invocation go on from there.
const queueUrl = process.env.S3_QUEUE_URL?.trim();
const resume = queueUrl ? createSqsResumeQueue(new SQSClient(aws), queueUrl) : undefined;

export type S3Response = SQSBatchResponse & { [BATCH_SUMMARY]?: BatchSummary };

const lambdaHandler = async (event: unknown, context: Context): Promise<S3Response> => {
  const deadline = deadlineFrom(
    context.getRemainingTimeInMillis(),
    runtime.config.opensearch.deadline_margin_ms,
  );
  const result = await ingestS3(event, { ...runtime, objects, resume }, deadline);
  const summary = summarize(result.report);
  recordBatchMetrics(metrics, summary);
  const where = { trigger: result.trigger, messages: result.messages, objects: result.objects };
  if (summary.alerts.dropped > 0 || summary.alerts.errors.length > 0)
    logger.warn('Slack alerts not all sent; the batch is delivered regardless', {
      ...where,
      alerts: summary.alerts,
    });
  const failed = result.response.batchItemFailures.length;
  if (failed > 0) {
    logger.error('objects not all delivered; their messages will be retried', {
      ...where,
      failed,
      ...summary,
    });
    // Direct S3 and EventBridge invoke asynchronously: only a throw makes Lambda retry.
    if (result.trigger !== 'sqs')
      throw new DeliveryError(`not delivered: ${summary.errors[0] ?? 'unknown error'}`, failed);
  } else if (summary.deadLettered > 0)
    logger.warn('objects read; some dead-lettered', { ...where, ...summary });
  else logger.info('objects delivered', { ...where, ...summary });
  // Lambda serialises the response with JSON.stringify, which drops the symbol key.
  return Object.assign(result.response, { [BATCH_SUMMARY]: summary });
};

export const handler = middy(lambdaHandler)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .use(fetchWebhooks(runtime.webhooks, { region: env.region, endpoint: env.awsEndpoint }));
