// The S3 archive as a SQL table: columns from the index template (Glue/Athena and DuckDB types) and the deduplicating `logs` view. Pure.

import { NUMERIC_TYPES } from '#shared/ops/template-fields.ts';
import { LOG_MAPPINGS } from '#shared/ops/templates.ts';

/** Key partitions of `archive/log_type=…/dt=…/hour=…/`, strings in both engines: `WHERE dt = '2025-11-20'`. */
export const PARTITION_COLUMNS = ['log_type', 'dt', 'hour'] as const;

/** Top-level document fields that hold lists; a mapping cannot tell a list from a single value. */
const LIST_FIELDS: ReadonlySet<string> = new Set(['tags']);

/** `@timestamp` is no SQL name (nor a Hive one): the column is `timestamp`, quoted as SQL wants. */
const RENAMED: Readonly<Record<string, string>> = { '@timestamp': 'timestamp' };

/** One column of the archive table, its type in each engine's spelling. */
export interface ArchiveColumn {
  name: string;
  /** The document's key, when it is not the column name. */
  key: string;
  /** Glue / Hive DDL type: `struct<id:string,…>`. */
  hive: string;
  /** Athena (Trino) type, as a view definition states it: `row(id varchar, …)`. */
  presto: string;
  /** DuckDB type: `STRUCT("id" VARCHAR, …)`. */
  duckdb: string;
}

interface Node {
  type?: string;
  properties?: Record<string, Node>;
}

interface Types {
  hive: string;
  presto: string;
  duckdb: string;
}

function leafTypes(type: string): Types {
  if (type === 'long' || type === 'integer' || type === 'short' || type === 'byte')
    return { hive: 'bigint', presto: 'bigint', duckdb: 'BIGINT' };
  if (NUMERIC_TYPES.has(type)) return { hive: 'double', presto: 'double', duckdb: 'DOUBLE' };
  if (type === 'boolean') return { hive: 'boolean', presto: 'boolean', duckdb: 'BOOLEAN' };
  // A flat_object's keys are anyone's: kept as its JSON text (Athena json_extract_scalar, DuckDB ->>).
  if (type === 'flat_object') return { hive: 'string', presto: 'varchar', duckdb: 'JSON' };
  // Dates stay ISO-8601 strings: they compare as text, and both engines parse them on demand.
  return { hive: 'string', presto: 'varchar', duckdb: 'VARCHAR' };
}

function typesOf(node: Node): Types {
  if (!node.properties || node.type) return leafTypes(node.type ?? 'keyword');
  const children = Object.entries(node.properties).map(([name, child]) => ({
    name,
    ...typesOf(child),
  }));
  return {
    hive: `struct<${children.map((c) => `${c.name}:${c.hive}`).join(',')}>`,
    presto: `row(${children.map((c) => `${c.name} ${c.presto}`).join(', ')})`,
    duckdb: `STRUCT(${children.map((c) => `"${c.name}" ${c.duckdb}`).join(', ')})`,
  };
}

/**
 * The archive's columns: one per top-level field of the template, objects as nested structs, so
 * `http.response.status_code` reads the same in Athena and DuckDB. Fields outside the template stay in
 * the objects (Athena ignores them; `event.original` keeps the raw line).
 *
 * @example
 * archiveColumns().find((c) => c.name === 'http')?.hive // 'struct<version:string,request:struct<…>,…>'
 */
export function archiveColumns(mappings: { properties: object } = LOG_MAPPINGS): ArchiveColumn[] {
  return Object.entries(mappings.properties as Record<string, Node>).map(([key, node]) => {
    const t = typesOf(node);
    const list = LIST_FIELDS.has(key);
    return {
      name: RENAMED[key] ?? key,
      key,
      hive: list ? `array<${t.hive}>` : t.hive,
      presto: list ? `array(${t.presto})` : t.presto,
      duckdb: list ? `${t.duckdb}[]` : t.duckdb,
    };
  });
}

const quote = (name: string) => `"${name}"`;

/**
 * The `logs` view over a table of archive rows: every column, one row per `event.id`. A partial Kinesis
 * retry archives the retried records again under another key; the copies share the event's time and
 * log type, so they meet in one partition, and a filter on log_type/dt/hour still prunes partitions
 * through the window. Plain SQL both Athena (Trino) and DuckDB run.
 *
 * @example
 * dedupeViewSql('archive') // 'SELECT "timestamp", … FROM (SELECT *, row_number() OVER (PARTITION BY …'
 */
export function dedupeViewSql(table: string, columns = archiveColumns()): string {
  const names = [...columns.map((c) => c.name), ...PARTITION_COLUMNS].map(quote).join(', ');
  return (
    `SELECT ${names} FROM (SELECT *, row_number() OVER (PARTITION BY log_type, dt, hour, event.id) AS logferry_copy ` +
    `FROM ${table}) AS archived WHERE logferry_copy = 1`
  );
}

/** The Glue table's columns (partition columns apart, as Glue wants them). */
export function glueColumns(columns = archiveColumns()): { Name: string; Type: string }[] {
  return columns.map((c) => ({ Name: c.name, Type: c.hive }));
}

/** The columns of the view, partition columns included. */
function viewColumns(columns: readonly ArchiveColumn[]) {
  return [
    ...columns.map((c) => ({ name: c.name, hive: c.hive, presto: c.presto })),
    ...PARTITION_COLUMNS.map((name) => ({ name, hive: 'string', presto: 'varchar' })),
  ];
}

/**
 * What serverless.yml's Glue resources read from `dashboards/athena-table.json`: the table columns, and
 * the `logs` view as Athena stores views in Glue (a VIRTUAL_VIEW whose text is the base64 of a JSON
 * "Presto view" definition), with the database name spliced in by CloudFormation (`Ref`).
 *
 * @example
 * writeFileSync('dashboards/athena-table.json', JSON.stringify(athenaTableDefinition('LogferryAthenaDatabase'), null, 2));
 */
export function athenaTableDefinition(databaseResource: string, table = 'archive') {
  const columns = archiveColumns();
  const view = viewColumns(columns);
  const sql = dedupeViewSql(table, columns);
  // Split around the schema name: Fn::Join puts the database's Ref between the halves.
  const marker = '\u0000schema\u0000';
  const json = JSON.stringify({
    originalSql: sql,
    catalog: 'awsdatacatalog',
    schema: marker,
    columns: view.map((c) => ({ name: c.name, type: c.presto })),
  });
  const [before, after] = json.split(JSON.stringify(marker).slice(1, -1));
  return {
    columns: glueColumns(columns),
    viewColumns: view.map((c) => ({ Name: c.name, Type: c.hive })),
    viewSql: sql,
    viewOriginalText: {
      'Fn::Join': [
        '',
        [
          '/* Presto View: ',
          { 'Fn::Base64': { 'Fn::Join': ['', [before, { Ref: databaseResource }, after]] } },
          ' */',
        ],
      ],
    },
  };
}
