import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '#shared/config/file.ts';
import { archiveColumns, athenaTableDefinition, dedupeViewSql } from '#shared/ops/archive-table.ts';
import { archiveViewsSql, formatTable, jsonValue } from '#shared/ops/query.ts';
import { archiveRow, planArchive } from '#shared/sinks/archive-keys.ts';
import { gzipNdjson } from '#shared/sinks/ndjson.ts';
import { routedOf } from '#test/helpers/alerts.ts';

const dir = mkdtempSync(join(tmpdir(), 'logferry-query-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the archive objects of some routed documents under `dir`, keeping the keys' folders. */
function writeArchive(lines: string[], opts: { group: string; suffix?: string }): string[] {
  const config = parseConfig({ version: 1 });
  const routed = routedOf(lines, { group: opts.group, seed: opts.group, config });
  return planArchive(routed).map((o) => {
    const file = join(dir, o.key.replace('.ndjson.gz', `${opts.suffix ?? ''}.ndjson.gz`));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, gzipNdjson(o.items.map(archiveRow), 1));
    return file;
  });
}

async function query(files: string[], sql: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  for (const statement of archiveViewsSql(files)) await connection.run(statement);
  const rows = (await connection.runAndReadAll(sql)).getRowObjectsJS();
  connection.closeSync();
  return rows.map((r) => jsonValue(r) as Record<string, unknown>);
}

const nginx = (status: number, path: string) =>
  `203.0.113.10 - - [20/Nov/2025:10:00:00 +0000] "GET ${path} HTTP/1.1" ${status} 12 "-" "curl/8"`;

describe('the logs view over archive objects (DuckDB)', () => {
  it('has the document fields as nested structs, @timestamp as "timestamp", and the key partitions', async () => {
    // Prepare
    const files = writeArchive([nginx(502, '/api/v1?q=a%20b')], { group: '/ecs/web/nginx' });
    // Act
    const rows = await query(
      files,
      `SELECT "timestamp", aws.cloudwatch.log_group AS lg, http.response.status_code AS status,
              url.original AS url, log_type, dt, hour FROM logs`,
    );
    // Assess
    expect(rows).toEqual([
      {
        timestamp: '2025-11-20T10:00:00.000Z',
        lg: '/ecs/web/nginx',
        status: 502,
        url: '/api/v1?q=a%20b',
        log_type: 'access',
        dt: '2025-11-20',
        hour: '10',
      },
    ]);
  });

  it('counts a row archived twice (a partial Kinesis retry writes another key) once', async () => {
    // Prepare: the same two events in two objects, one more event in a third.
    const first = writeArchive([nginx(200, '/x'), nginx(404, '/y')], { group: 'dup' });
    const again = writeArchive([nginx(200, '/x'), nginx(404, '/y')], {
      group: 'dup',
      suffix: '-retry',
    });
    const other = writeArchive([nginx(200, '/z')], { group: 'other' });
    const files = [...first, ...again, ...other];
    // Act
    const raw = await query(files, 'SELECT count(*) AS n FROM archive');
    const deduped = await query(
      files,
      'SELECT log_type, dt, count(*) AS n, count(DISTINCT event.id) AS ids FROM logs GROUP BY ALL',
    );
    // Assess
    expect(raw).toEqual([{ n: 5 }]);
    expect(deduped).toEqual([{ log_type: 'access', dt: '2025-11-20', n: 3, ids: 3 }]);
  });

  it('answers with no archive objects at all: the views exist and are empty', async () => {
    expect(await query([], "SELECT count(*) AS n FROM logs WHERE dt = '2025-11-20'")).toEqual([
      { n: 0 },
    ]);
    expect(await query([], 'SELECT http.response.status_code AS s FROM logs')).toEqual([]);
  });

  it('keeps `tags` a list and `app` JSON text', async () => {
    const line = JSON.stringify({ level: 'info', msg: 'hi', user: { id: 7 }, password: 'x' });
    const files = writeArchive([line], { group: 'app' });
    const rows = await query(files, "SELECT tags, app->>'$.user.id' AS uid FROM logs");
    expect(rows[0]?.tags).toEqual(['_redacted']);
    expect(rows[0]?.uid).toBe('7');
  });
});

describe('the Athena side', () => {
  it('declares the same columns in Hive and Trino spelling as DuckDB uses', () => {
    const columns = archiveColumns();
    const http = columns.find((c) => c.name === 'http')!;
    expect(http.hive).toMatch(
      /^struct<version:string,request:struct<.*method:string.*>,response:struct<status_code:bigint,.*body:struct<bytes:bigint>>>$/,
    );
    expect(http.presto).toMatch(
      /^row\(version varchar, request row\(.*method varchar.*\), response row\(status_code bigint, .*body row\(bytes bigint\)\)\)$/,
    );
    expect(http.duckdb).toMatch(
      /^STRUCT\("version" VARCHAR, "request" STRUCT\(.*"method" VARCHAR.*\), "response" STRUCT\("status_code" BIGINT, /,
    );
    expect(columns.find((c) => c.key === '@timestamp')?.name).toBe('timestamp');
    expect(columns.find((c) => c.name === 'tags')?.hive).toBe('array<string>');
  });

  it('ships the dedupe view as a Presto view whose base64 text holds the same SQL', () => {
    // Act: splice a database name where CloudFormation would put the Ref.
    const def = athenaTableDefinition('Db');
    const inner = (def.viewOriginalText['Fn::Join'][1] as unknown[])[1] as {
      'Fn::Base64': { 'Fn::Join': [string, [string, { Ref: string }, string]] };
    };
    const [before, ref, after] = inner['Fn::Base64']['Fn::Join'][1];
    const view = JSON.parse(`${before}logferry_prod${after}`);
    // Assess
    expect(ref).toEqual({ Ref: 'Db' });
    expect(view.schema).toBe('logferry_prod');
    expect(view.originalSql).toBe(dedupeViewSql('archive'));
    expect(view.columns.map((c: { name: string }) => c.name)).toEqual(
      def.viewColumns.map((c) => c.Name),
    );
    expect(view.columns.slice(-3)).toEqual([
      { name: 'log_type', type: 'varchar' },
      { name: 'dt', type: 'varchar' },
      { name: 'hour', type: 'varchar' },
    ]);
  });
});

describe('formatTable', () => {
  it('aligns columns, prints NULL and nested values as JSON', () => {
    expect(
      formatTable(
        ['a', 'bb'],
        [
          [1n, null],
          ['xyz', { k: [1] }],
        ],
      ),
    ).toBe('a    bb\n---  ---------\n1    NULL\nxyz  {"k":[1]}');
  });
});
