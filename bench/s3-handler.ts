// The bench's S3 handler: the real ingestS3 over an object store of files and null sinks, bundled like a function so a fresh process measures its peak RSS.
import type { Context } from 'aws-lambda';
import { fileObjectStore } from '#scripts/local/s3-samples.ts';
import { parseConfig } from '#shared/config/file.ts';
import { summarize } from '#shared/pipeline/outcome.ts';
import { ingestS3 } from '#shared/sources/s3.ts';
import { createNullSinks } from './null-sinks.ts';

const config = parseConfig({ version: 1 });
// Sinks that do the bulk and archive serialising and gzip, and send nothing.
const sinks = createNullSinks(config, { gzip: true });
const objects = fileObjectStore(process.env.BENCH_S3_ROOT ?? '.local/bench/s3');

export const handler = async (event: unknown, context: Context) => {
  const deadline = Date.now() + context.getRemainingTimeInMillis() - 3_000;
  const result = await ingestS3(event, { config, sinks, objects }, deadline);
  const { indexed, documents, deadLettered, retry, errors } = summarize(result.report);
  return { indexed, documents, deadLettered, retry, errors, objects: result.objects };
};
