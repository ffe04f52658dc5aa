// SQL that exposes archive objects copied to a local folder to DuckDB as the `archive` table and the deduplicated `logs` view. Pure.
import {
  type ArchiveColumn,
  archiveColumns,
  dedupeViewSql,
  PARTITION_COLUMNS,
} from '#shared/ops/archive-table.ts';

const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;
const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * The statements that define `archive` (every row of the files) and `logs` (one row per event.id).
 * `files` are local paths that keep the S3 key's `log_type=…/dt=…/hour=…` folders, which DuckDB reads
 * as the partition columns. With no file, both exist and are empty, so a query still answers.
 *
 * @example
 * for (const sql of archiveViewsSql(['/tmp/q/archive/log_type=access/dt=2025-11-20/hour=10/web/a.ndjson.gz']))
 *   await connection.run(sql);
 */
export function archiveViewsSql(
  files: readonly string[],
  columns: readonly ArchiveColumn[] = archiveColumns(),
): string[] {
  const renamed = columns
    .map((c) => (c.key === c.name ? quote(c.name) : `${quote(c.key)} AS ${quote(c.name)}`))
    .join(', ');
  let archive: string;
  if (files.length === 0) {
    const nulls = [
      ...columns.map((c) => `CAST(NULL AS ${c.duckdb}) AS ${quote(c.name)}`),
      ...PARTITION_COLUMNS.map((p) => `CAST(NULL AS VARCHAR) AS ${p}`),
    ];
    archive = `SELECT ${nulls.join(', ')} WHERE false`;
  } else {
    const types = columns.map((c) => `${literal(c.key)}: ${literal(c.duckdb)}`).join(', ');
    const hive = PARTITION_COLUMNS.map((p) => `${p}: 'VARCHAR'`).join(', ');
    archive =
      `SELECT ${renamed}, ${PARTITION_COLUMNS.join(', ')} FROM read_json([${files.map(literal).join(', ')}], ` +
      `format = 'newline_delimited', compression = 'gzip', hive_partitioning = true, ` +
      `hive_types = {${hive}}, columns = {${types}})`;
  }
  return [
    `CREATE OR REPLACE VIEW archive AS ${archive}`,
    `CREATE OR REPLACE VIEW logs AS ${dedupeViewSql('archive', [...columns])}`,
  ];
}

/** A value DuckDB returned, made printable as JSON: integers that fit become numbers. */
export function jsonValue(value: unknown): unknown {
  if (typeof value === 'bigint')
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  if (Array.isArray(value)) return value.map(jsonValue);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonValue(v)]));
  return value;
}

/**
 * Rows as an aligned text table, the way a terminal reader wants them; nested values as JSON.
 *
 * @example
 * formatTable(['log_type', 'n'], [['access', 22]]) // 'log_type  n\n--------  --\naccess    22'
 */
export function formatTable(columns: readonly string[], rows: readonly unknown[][]): string {
  const cell = (v: unknown) =>
    v === null || v === undefined ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  const text = rows.map((r) => r.map((v) => cell(jsonValue(v)).replace(/\s+/g, ' ')));
  const widths = columns.map((c, i) =>
    Math.min(80, Math.max(c.length, ...text.map((r) => r[i]?.length ?? 0))),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) =>
        c.length > widths[i]! ? `${c.slice(0, widths[i]! - 1)}…` : c.padEnd(widths[i]!),
      )
      .join('  ')
      .trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)].join('\n');
}
