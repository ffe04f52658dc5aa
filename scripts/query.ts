// `npm run query -- "SQL" [--from archive/…] [--json]`: SQL (DuckDB) over the S3 archive, as the view `logs`.
//
// DuckDB's httpfs extension is downloaded at run time from DuckDB's own server, which is not reachable from
// every machine (nor needed): the objects are fetched with the AWS SDK, which already speaks to moto, a
// custom endpoint or AWS with the usual credentials, into a temporary folder that keeps the key layout.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { createS3Client } from '#shared/clients/s3.ts';
import { archiveViewsSql, formatTable, jsonValue } from '#shared/ops/query.ts';
import { listKeys, readObject } from './recovery-cli.ts';

const USAGE = `usage: npm run query -- "SQL" [--from archive/…] [--bucket NAME] [--json] [--local]

  Runs SQL with DuckDB over the archive objects under --from (default archive/) of the archive bucket
  (--bucket, else ARCHIVE_BUCKET). The view \`logs\` has the document's top-level fields as nested
  structs (aws.cloudwatch.log_group, http.response.status_code, …; @timestamp is "timestamp") plus
  log_type, dt and hour, one row per event.id; \`archive\` has every archived row. AWS_ENDPOINT_URL and
  the usual AWS credentials choose the S3 endpoint; with none of them set (or --local), the local
  stack's moto. --json prints one JSON object per row.

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

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: {
      from: { type: 'string', default: 'archive/' },
      bucket: { type: 'string' },
      json: { type: 'boolean', default: false },
      local: { type: 'boolean', default: false },
      help: { type: 'boolean' },
    },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const sql = positionals.join(' ').trim();
  if (!sql) {
    console.error(USAGE);
    return 2;
  }
  if (!values.from.startsWith('archive/')) {
    console.error(`query: --from must be an archive prefix (archive/…), not ${values.from}`);
    return 2;
  }
  const local =
    values.local || !(values.bucket || process.env.ARCHIVE_BUCKET || process.env.AWS_ENDPOINT_URL);
  if (local) {
    const { localEnv } = await import('./local/stack.ts');
    for (const [k, v] of Object.entries(localEnv())) process.env[k] ??= v;
  }
  const bucket = values.bucket ?? process.env.ARCHIVE_BUCKET;
  if (!bucket) {
    console.error('query: no bucket: pass --bucket NAME or set ARCHIVE_BUCKET');
    return 2;
  }
  const env = {
    bucket,
    region: process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1',
    endpoint: process.env.AWS_ENDPOINT_URL || undefined,
  };

  const dir = await mkdtemp(join(tmpdir(), 'logferry-query-'));
  try {
    const files = await fetchArchive(env, values.from, dir);
    if (!values.json)
      console.error(`${files.length} archive object(s) under s3://${bucket}/${values.from}`);
    const db = await DuckDBInstance.create(':memory:');
    const connection = await db.connect();
    for (const statement of archiveViewsSql(files)) await connection.run(statement);
    const reader = await connection.runAndReadAll(sql);
    const columns = reader.columnNames();
    if (values.json) {
      for (const row of reader.getRowObjectsJS()) console.log(JSON.stringify(jsonValue(row)));
    } else {
      console.log(formatTable(columns, reader.getRowsJS()));
    }
    connection.closeSync();
    return 0;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const e = err as Error;
    // DuckDB's own errors (a SQL typo) are for the user; anything else keeps its stack.
    const sqlError = /^(Parser|Binder|Catalog|Conversion|Invalid Input) Error/.test(e.message);
    console.error(`query: ${sqlError ? e.message : (e.stack ?? e)}`);
    process.exitCode = sqlError ? 2 : 1;
  },
);
