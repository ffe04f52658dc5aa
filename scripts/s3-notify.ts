// `npm run s3:notify -- --queue-arn ARN --bucket NAME... [--prefix P] [--id ID] [--dry-run] [--json] [--local]`: S3 source buckets announce new objects to ingestS3's queue.
import { createS3Client } from '#shared/clients/s3.ts';
import { readEnv } from '#shared/config/env.ts';
import { notifyBuckets } from '#shared/ops/s3-notify.ts';
import { type CliRun, runCli, UsageError } from './cli.ts';

const USAGE = `usage: npm run s3:notify -- --queue-arn ARN --bucket NAME [--bucket NAME…] [--prefix P] [--id ID] [--dry-run] [--json] [--local]

  Adds an ObjectCreated notification to ingestS3's queue (serverless.yml output S3SourceQueueArn) to
  each bucket, for keys under --prefix (all keys by default), under the id --id (logferry-<stage>).
  Every other notification of the bucket is kept; a bucket with one that overlaps is reported and
  left alone (S3 refuses overlapping notifications). Running it again changes nothing.`;

const OPTIONS = {
  'queue-arn': { type: 'string' },
  bucket: { type: 'string', multiple: true },
  prefix: { type: 'string', default: '' },
  id: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
} as const;

async function main(cli: CliRun<typeof OPTIONS>): Promise<number> {
  const { values } = cli;
  const buckets = values.bucket ?? [];
  if (!values['queue-arn'] || buckets.length === 0)
    throw new UsageError('--queue-arn and at least one --bucket are needed');
  if (cli.local) await cli.localStack();
  const env = readEnv(cli.env);
  const s3 = createS3Client({ region: env.region, endpoint: env.awsEndpoint });
  const target = {
    queueArn: values['queue-arn'],
    prefix: values.prefix,
    id: values.id ?? `${env.service}-${env.stage}`,
  };
  const results = await notifyBuckets(s3, buckets, target, { dryRun: values['dry-run'] });
  if (values.json) console.log(JSON.stringify({ ...target, results }));
  else
    for (const r of results)
      console.log(
        `${r.bucket.padEnd(40)} ${r.status}${values['dry-run'] && r.status !== 'unchanged' ? ' (dry run)' : ''}${r.error ? `: ${r.error}` : ''}`,
      );
  return results.some((r) => r.status === 'failed' || r.status === 'conflict') ? 1 : 0;
}

runCli({ name: 's3:notify', usage: USAGE, options: OPTIONS, local: {}, run: main });
