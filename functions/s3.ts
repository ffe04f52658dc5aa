// Lambda entry point for S3 objects announced through SQS (ReportBatchItemFailures), EventBridge or S3; the pipeline itself lives in shared/.
import { SQSClient } from '@aws-sdk/client-sqs';
import { createS3Client } from '#shared/clients/s3.ts';
import { createS3ObjectStore, createSqsResumeQueue } from '#shared/clients/s3-objects.ts';
import { readEnv } from '#shared/config/env.ts';
import { createIngestHandler } from '#shared/handler.ts';
import { asyncResponse, sqsResponse } from '#shared/pipeline/outcome.ts';
import { ingestS3 } from '#shared/sources/s3.ts';

// Made once per cold start, beside the sinks: the objects to read, and the queue unfinished ones go back to.
const env = readEnv(process.env);
const aws = { region: env.region, endpoint: env.awsEndpoint };
const objects = createS3ObjectStore(createS3Client(aws));
const resume = env.s3QueueUrl
  ? createSqsResumeQueue(new SQSClient(aws), env.s3QueueUrl)
  : undefined;

export const handler = createIngestHandler(async (event: unknown, deps, deadline) => {
  const result = await ingestS3(event, { ...deps, objects, resume }, deadline);
  return {
    report: result.report,
    where: { trigger: result.trigger, messages: result.messages, objects: result.objects },
    // SQS retries each message listed and deletes the rest; direct S3 and EventBridge need a throw.
    respond: (summary) =>
      result.trigger === 'sqs'
        ? sqsResponse(result.messageIds, result.report, summary)
        : asyncResponse(result.report, summary),
  };
});
