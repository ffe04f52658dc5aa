// Lambda entry point for Kinesis streams (ReportBatchItemFailures); the pipeline itself lives in shared/.
import type { KinesisStreamEvent } from 'aws-lambda';
import { createIngestHandler } from '#shared/handler.ts';
import { kinesisResponse } from '#shared/pipeline/outcome.ts';
import { ingestKinesis } from '#shared/sources/kinesis.ts';

export const handler = createIngestHandler(async (event: KinesisStreamEvent, deps, deadline) => {
  const { report, records } = await ingestKinesis(event, deps, deadline);
  return {
    report,
    where: { records: records.length },
    // Lambda checkpoints before the first failed record and delivers again from it; dead-lettered
    // records are acknowledged, so a poison record never blocks the shard.
    respond: (summary) => kinesisResponse(records, report, summary),
  };
});
