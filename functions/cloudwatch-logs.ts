// Lambda entry point for CloudWatch Logs subscription filters; the pipeline itself lives in shared/.
import type { CloudWatchLogsEvent } from 'aws-lambda';
import { createIngestHandler } from '#shared/handler.ts';
import { asyncResponse } from '#shared/pipeline/outcome.ts';
import { ingestCloudWatchLogs } from '#shared/sources/cloudwatch-logs.ts';

export const handler = createIngestHandler(async (event: CloudWatchLogsEvent, deps, deadline) => {
  const { report, logGroup, logStream, messageType } = await ingestCloudWatchLogs(
    event,
    deps,
    deadline,
  );
  return {
    report,
    where: { logGroup, logStream, messageType },
    // Invoked asynchronously: a throw makes Lambda retry, then use the on-failure destination.
    respond: (summary) => asyncResponse(report, summary),
  };
});
