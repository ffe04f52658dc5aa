// Lambda entry point for Kinesis streams (ReportBatchItemFailures); the pipeline itself lives in shared/.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, KinesisStreamEvent } from 'aws-lambda';
import { fetchWebhooks } from '#shared/alerts/webhooks.ts';
import { readRuntimeEnv } from '#shared/config/env.ts';
import { summarize } from '#shared/report.ts';
import { createRuntime, deadlineFrom } from '#shared/runtime.ts';
import { BATCH_SUMMARY, ingestKinesis, type KinesisResponse } from '#shared/sources/kinesis.ts';

const logger = new Logger({ serviceName: 'logferry' });
// Read once per cold start: a bad logferry.yml or environment fails here, loudly, before any event.
const env = readRuntimeEnv(process.env);
const runtime = createRuntime(env);

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
  return Object.assign(response, { [BATCH_SUMMARY]: summary });
};

export const handler = middy(lambdaHandler)
  .use(injectLambdaContext(logger))
  // Starts fetching the Slack webhook URLs of the alert rules (SSM / Secrets Manager, cached).
  .use(fetchWebhooks(runtime.webhooks, { region: env.region, endpoint: env.awsEndpoint }));
