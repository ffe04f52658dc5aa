// `npm run reindex -- --from <archive prefix> [--index-prefix P] [--json]`: indexes archived documents again.
import { createOpenSearchClient } from '#shared/clients/opensearch.ts';
import { createS3Client } from '#shared/clients/s3.ts';
import { ingestEnv, readEnv } from '#shared/config/env.ts';
import { loadConfig } from '#shared/config/yaml.ts';
import { reindexArchive } from '#shared/ops/reindex.ts';
import { createOpenSearchSink } from '#shared/sinks/opensearch/sink.ts';
import { createS3DeadLetterSink } from '#shared/sinks/s3.ts';
import { type CliRun, progressLine, runCli, UsageError } from './cli.ts';
import { listKeys, readObject } from './s3-objects.ts';

const USAGE = `usage: npm run reindex -- --from <archive prefix> [--bucket NAME] [--index-prefix P] [--config logferry.yml] [--json] [--local]
  e.g. --from archive/log_type=access/dt=2025-11-20/

  Indexes archived documents again (after an outage or a template change), with their own ids, so
  nothing is duplicated. Without OPENSEARCH_URL (or with --local) it uses the local stack.`;

const OPTIONS = {
  from: { type: 'string' },
  bucket: { type: 'string' },
  'index-prefix': { type: 'string' },
  config: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

async function main(cli: CliRun<typeof OPTIONS>): Promise<number> {
  const { values } = cli;
  if (!values.from) throw new UsageError('--from is required');
  if (!values.from.startsWith('archive/'))
    throw new UsageError(`--from must be an archive prefix (archive/…), not ${values.from}`);
  const env = ingestEnv(readEnv(cli.env));
  const config = loadConfig(values.config ?? env.configFile);
  const bucket = values.bucket ?? env.archiveBucket;
  const s3 = createS3Client({ region: env.region, endpoint: env.awsEndpoint });
  const client = createOpenSearchClient({ url: env.opensearchUrl, region: env.region });
  const keys = await listKeys(s3, bucket, values.from);
  const progress = progressLine(process.stderr, !values.json || process.stderr.isTTY === true);
  const totals = await reindexArchive({
    keys,
    read: (key) => readObject(s3, bucket, key),
    index: createOpenSearchSink({
      client,
      bulkBytes: config.opensearch.bulk_bytes,
      concurrency: config.opensearch.concurrency,
      maxFieldBytes: config.opensearch.max_field_bytes,
    }),
    deadLetter: createS3DeadLetterSink({
      client: s3,
      bucket,
      gzipLevel: config.archive.gzip_level,
    }),
    config,
    prefix: values['index-prefix'],
    onProgress: (p) => {
      const rate = p.elapsedMs > 0 ? Math.round(p.documents / (p.elapsedMs / 1000)) : 0;
      progress.update(
        `reindex ${p.objectsDone}/${p.objects} objects · ${p.documents} documents · ${p.indexed} indexed · ` +
          `${p.degraded} degraded · ${p.rejected} rejected · ${p.failed} failed · ${rate} docs/s`,
      );
    },
  });
  progress.done();
  const { errors, ...counts } = totals;
  if (values.json) console.log(JSON.stringify({ bucket, from: values.from, ...counts, errors }));
  else {
    console.log(
      `reindexed s3://${bucket}/${values.from}: ${counts.objects} objects, ${counts.documents} documents, ` +
        `${counts.indexed} indexed (${counts.degraded} degraded), ${counts.rejected} rejected, ${counts.failed} failed in ${counts.elapsedMs} ms`,
    );
    for (const e of errors) console.log(`  error: ${e}`);
  }
  return counts.failed > 0 || errors.length > 0 ? 1 : 0;
}

runCli({
  name: 'reindex',
  usage: USAGE,
  options: OPTIONS,
  local: { orWhenUnset: ['OPENSEARCH_URL'] },
  run: main,
});
