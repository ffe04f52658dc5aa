// `npm run query` over the local archive (moto S3) after replaying the sample events, and after redeliveries.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenSearchClient } from '#shared/clients/opensearch.ts';
import { createS3Client } from '#shared/clients/s3.ts';
import { archiveRows } from '#shared/ops/reindex.ts';
import { testConfigPath } from '#test/helpers/config.ts';
import { ROOT } from '#test/helpers/events.ts';
import { replay, replayTarget } from '#test/helpers/replay.ts';

const target = replayTarget('query');
// This process reads the archive too, with the local stack's credentials.
const savedEnv = { ...process.env };
Object.assign(process.env, {
  AWS_ACCESS_KEY_ID: target.env.AWS_ACCESS_KEY_ID,
  AWS_SECRET_ACCESS_KEY: target.env.AWS_SECRET_ACCESS_KEY,
  AWS_REGION: target.env.AWS_REGION,
});
const s3 = createS3Client({ region: target.env.AWS_REGION, endpoint: target.env.AWS_ENDPOINT_URL });
const opensearch = createOpenSearchClient({ url: target.env.OPENSEARCH_URL! });

afterAll(async () => {
  process.env = savedEnv;
  await opensearch.indices.delete(
    { index: `${target.prefix}-*,${target.stateIndex}`, ignore_unavailable: true } as never,
    { ignore: [404] },
  );
  await opensearch.indices.deleteIndexTemplate(
    { name: `logferry-${target.prefix}` },
    { ignore: [404] },
  );
});

async function query(sql: string, ...args: string[]): Promise<Record<string, unknown>[]> {
  const { stdout } = await promisify(execFile)(
    'npx',
    ['tsx', 'scripts/query.ts', sql, '--json', ...args],
    { cwd: ROOT, env: target.env, maxBuffer: 64 << 20 },
  );
  return stdout
    .trim()
    .split('\n')
    .filter((l) => l)
    .map((l) => JSON.parse(l));
}

/** Rows and distinct event ids per log_type/dt, read straight from the archive objects. */
async function archived(): Promise<{ rows: number; byPartition: Record<string, number> }> {
  const ids = new Map<string, Set<string>>();
  let rows = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: target.bucket,
        Prefix: 'archive/',
        ContinuationToken: token,
      }),
    );
    for (const o of page.Contents ?? []) {
      const [, logType, dt] = /log_type=([^/]+)\/dt=([^/]+)\//.exec(o.Key!)!;
      const out = await s3.send(new GetObjectCommand({ Bucket: target.bucket, Key: o.Key! }));
      for (const doc of archiveRows(Buffer.from(await out.Body!.transformToByteArray()))) {
        rows++;
        const key = `${logType}/${dt}`;
        ids.set(key, (ids.get(key) ?? new Set()).add(doc.event.id));
      }
    }
    token = page.NextContinuationToken;
  } while (token);
  return { rows, byPartition: Object.fromEntries([...ids].map(([k, v]) => [k, v.size])) };
}

const COUNTS = 'SELECT log_type, dt, count(*) AS n FROM logs GROUP BY ALL ORDER BY ALL';
const asMap = (rows: Record<string, unknown>[]) =>
  Object.fromEntries(rows.map((r) => [`${r.log_type}/${r.dt}`, r.n]));

describe('npm run query over the local archive', () => {
  let first: Record<string, unknown>;

  beforeAll(async () => {
    const summary = await replay(target, ['events/']);
    expect(summary.archived).toBeGreaterThan(50);
  }, 180_000);

  it('counts by log_type and dt equal the distinct events archived', async () => {
    // Act
    const rows = await query(COUNTS);
    const truth = await archived();
    // Assess
    first = asMap(rows);
    expect(first).toEqual(truth.byPartition);
    expect(Object.keys(first).sort()).toEqual(
      expect.arrayContaining(['access/2025-11-20', 'application/2025-11-20', 'error/2025-11-20']),
    );
  });

  it('a partially retried Kinesis batch archives rows again under new keys; logs still counts each once', async () => {
    // Prepare: the FireLens batch retried from its second record, as Lambda does after a failure.
    const event = JSON.parse(readFileSync(join(ROOT, 'events/kinesis/firelens.json'), 'utf8'));
    const retry = testConfigPath(`${target.prefix}-retry.json`);
    writeFileSync(retry, JSON.stringify({ Records: event.Records.slice(1) }));
    const before = await archived();
    // Act
    await replay(target, [retry, 'events/']);
    const rows = await query(COUNTS);
    const raw = await query('SELECT count(*) AS n FROM archive');
    const after = await archived();
    // Assess: more rows in S3 (and in `archive`), the same distinct events, the same counts.
    expect(after.rows).toBeGreaterThan(before.rows);
    expect(raw).toEqual([{ n: after.rows }]);
    expect(after.byPartition).toEqual(before.byPartition);
    expect(asMap(rows)).toEqual(first);
  });

  it('reads nested fields as written, and --from narrows to a prefix', async () => {
    const rows = await query(
      `SELECT aws.cloudwatch.log_group AS lg, count(*) AS n FROM logs
       WHERE http.response.status_code >= 500 GROUP BY ALL ORDER BY ALL`,
      '--from',
      'archive/log_type=access/',
    );
    expect(rows).toContainEqual({ lg: '/ec2/haproxy', n: 1 });
    const types = await query(
      'SELECT DISTINCT log_type FROM logs',
      '--from',
      'archive/log_type=error/',
    );
    expect(types).toEqual([{ log_type: 'error' }]);
  });

  it('says what is wrong with bad SQL and exits 2', async () => {
    const run = query('SELECT nope FROM logs');
    await expect(run).rejects.toMatchObject({ code: 2 });
    await expect(run).rejects.toMatchObject({
      stderr: expect.stringMatching(/Binder Error.*nope/s),
    });
  });
});
