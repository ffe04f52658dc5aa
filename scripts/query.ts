// `npm run query -- "SQL" [--from archive/…] [--json]`: SQL (DuckDB) over the S3 archive, as the view `logs`.
//
// DuckDB's httpfs extension is downloaded at run time from DuckDB's own server, which is not reachable from
// every machine (nor needed): the objects are fetched with the AWS SDK, which already speaks to moto, a
// custom endpoint or AWS with the usual credentials, into a temporary folder that keeps the key layout.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createS3Client } from '#shared/clients/s3.ts';
import { readEnv } from '#shared/config/env.ts';
import { archiveViewsSql, formatTable, jsonValue } from '#shared/ops/query.ts';
import { type CliRun, EXIT, runCli, UsageError } from './cli.ts';
import { listKeys, readObject } from './s3-objects.ts';

const USAGE = `usage: npm run query -- "SQL" [--from archive/…] [--bucket NAME] [--json] [--local]

  Runs SQL with DuckDB over the archive objects under --from (default archive/) of the archive bucket
  (--bucket, else ARCHIVE_BUCKET). The view \`logs\` has the document's top-level fields as nested
  structs (aws.cloudwatch.log_group, http.response.status_code, …; @timestamp is "timestamp") plus
  log_type, dt and hour, one row per event.id; \`archive\` has every archived row. AWS_ENDPOINT_URL and
  the usual AWS credentials choose the S3 endpoint; with neither ARCHIVE_BUCKET nor AWS_ENDPOINT_URL
  set (or with --local), the local stack's moto. --json prints one JSON object per row.

  npm run query -- "SELECT log_type, dt, count(*) AS n FROM logs GROUP BY ALL ORDER BY ALL"`;

/** Objects fetched at once: S3 serves many small GETs best in parallel. */
const CONCURRENCY = 8;

async function fetchArchive(
  env: { bucket: string; region: string; endpoint?: string },
  prefix: string,
  dir: string,
): Promise<string[]> {
  const s3 = createS3Client({ region: env.region, endpoint: env.endpoint });
  const keys = (await listKeys(s3, env.bucket, prefix)).filter((k) => k.endsWith('.ndjson.gz'));
  const files: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const key = keys[next++]!;
      const file = join(dir, key);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, await readObject(s3, env.bucket, key));
      files.push(file);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, keys.length) }, worker));
  return files.sort();
}

const OPTIONS = {
  from: { type: 'string', default: 'archive/' },
  bucket: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

async function main(cli: CliRun<typeof OPTIONS>): Promise<number> {
  const { values } = cli;
  const sql = cli.positionals.join(' ').trim();
  if (!sql) throw new UsageError('no SQL given');
  if (!values.from.startsWith('archive/'))
    throw new UsageError(`--from must be an archive prefix (archive/…), not ${values.from}`);
  const env = readEnv(cli.env);
  const bucket = values.bucket ?? env.archiveBucket;
  if (!bucket) throw new UsageError('no bucket: pass --bucket NAME or set ARCHIVE_BUCKET');

  const dir = await mkdtemp(join(tmpdir(), 'logferry-query-'));
  try {
    const files = await fetchArchive(
      { bucket, region: env.region, endpoint: env.awsEndpoint },
      values.from,
      dir,
    );
    if (!values.json)
      console.error(`${files.length} archive object(s) under s3://${bucket}/${values.from}`);
    const db = await DuckDBInstance.create(':memory:');
    const connection = await db.connect();
    for (const statement of archiveViewsSql(files)) await connection.run(statement);
    let reader: Awaited<ReturnType<typeof connection.runAndReadAll>>;
    try {
      reader = await connection.runAndReadAll(sql);
    } catch (err) {
      // DuckDB's own words (Parser Error, Binder Error, …) say what is wrong with the SQL.
      console.error(`query: ${(err as Error).message}`);
      return EXIT.usage;
    } finally {
      connection.closeSync();
    }
    if (values.json) {
      for (const row of reader.getRowObjectsJS()) console.log(JSON.stringify(jsonValue(row)));
    } else console.log(formatTable(reader.columnNames(), reader.getRowsJS()));
    return EXIT.ok;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

runCli({
  name: 'query',
  usage: USAGE,
  options: OPTIONS,
  allowPositionals: true,
  // Nothing pointing at a bucket or an endpoint: the local stack's archive, as `npm run replay` fills it.
  local: { orWhenUnset: ['ARCHIVE_BUCKET', 'AWS_ENDPOINT_URL'] },
  run: main,
});
