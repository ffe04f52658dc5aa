// Packages the real serverless.yml offline and reads the Glue and Athena resources out of the CloudFormation template.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GLUE_DATABASE_RESOURCE } from '#scripts/dashboards.ts';
import { listZip } from '#scripts/package-check.ts';
import { athenaTableDefinition, PARTITION_COLUMNS } from '#shared/ops/archive-table.ts';
import { ROOT } from '#test/helpers/events.ts';

type Resource = { Type: string; Properties: Record<string, unknown> };
interface Template {
  Resources: Record<string, Resource>;
  Outputs: Record<string, { Value: unknown }>;
}

/** CloudFormation Fn::Sub placeholders, written `\${…}` in these template literals. */
const LOCATION_TEMPLATE = `s3://\${LogferryArchiveBucket}/archive/log_type=\${!log_type}/dt=\${!dt}/hour=\${!hour}/`;
const RESULTS_LOCATION = `s3://\${LogferryArchiveBucket}/athena-results/`;

const out = mkdtempSync(join(ROOT, '.local', 'tmp', 'package-athena-'));
let template: Template;

beforeAll(async () => {
  await promisify(execFile)(
    'npx',
    ['serverless', 'package', '--stage', 'athenatest', '--package', out],
    { cwd: ROOT, env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' } },
  );
  template = JSON.parse(
    readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'),
  );
}, 180_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

function tableInput(name: string): Record<string, unknown> {
  const r = template.Resources[name];
  expect(r?.Type).toBe('AWS::Glue::Table');
  return r!.Properties.TableInput as Record<string, unknown>;
}

describe('packaged template: SQL over the archive', () => {
  it('has the Glue database logferry_<stage>', () => {
    const db = template.Resources[GLUE_DATABASE_RESOURCE];
    expect(db?.Type).toBe('AWS::Glue::Database');
    expect(db?.Properties.DatabaseInput).toMatchObject({ Name: 'logferry_athenatest' });
  });

  it('has the archive table with partition projection on log_type, dt and hour (no crawler)', () => {
    const table = tableInput('LogferryArchiveTable');
    const params = table.Parameters as Record<string, unknown>;
    expect(params).toMatchObject({
      'projection.enabled': 'true',
      'projection.log_type.type': 'enum',
      'projection.log_type.values': 'access,error,application',
      'projection.dt.type': 'date',
      'projection.dt.format': 'yyyy-MM-dd',
      'projection.dt.range': '2024-01-01,NOW',
      'projection.hour.type': 'enum',
    });
    expect(String(params['projection.hour.values']).split(',')).toHaveLength(24);
    expect(params['storage.location.template']).toEqual({ 'Fn::Sub': LOCATION_TEMPLATE });
    expect((table.PartitionKeys as { Name: string }[]).map((k) => k.Name)).toEqual([
      ...PARTITION_COLUMNS,
    ]);
    const sd = table.StorageDescriptor as {
      Columns: unknown[];
      SerdeInfo: { SerializationLibrary: string; Parameters: Record<string, string> };
    };
    expect(sd.SerdeInfo.SerializationLibrary).toBe('org.openx.data.jsonserde.JsonSerDe');
    expect(sd.SerdeInfo.Parameters['mapping.timestamp']).toBe('@timestamp');
    expect(sd.Columns).toEqual(athenaTableDefinition(GLUE_DATABASE_RESOURCE).columns);
    expect(Object.values(template.Resources).map((r) => r.Type)).not.toContain(
      'AWS::Glue::Crawler',
    );
  });

  it('has the deduplicating logs view as a Presto VIRTUAL_VIEW, and a workgroup writing to the bucket', () => {
    const view = tableInput('LogferryLogsView');
    const def = athenaTableDefinition(GLUE_DATABASE_RESOURCE);
    expect(view).toMatchObject({
      Name: 'logs',
      TableType: 'VIRTUAL_VIEW',
      Parameters: { presto_view: 'true' },
      ViewExpandedText: '/* Presto View */',
      ViewOriginalText: def.viewOriginalText,
    });
    const workgroup = template.Resources.LogferryAthenaWorkGroup;
    expect(workgroup?.Type).toBe('AWS::Athena::WorkGroup');
    expect(workgroup?.Properties.WorkGroupConfiguration).toMatchObject({
      EnforceWorkGroupConfiguration: true,
      ResultConfiguration: {
        OutputLocation: { 'Fn::Sub': RESULTS_LOCATION },
      },
    });
    expect(template.Outputs.AthenaDatabase?.Value).toEqual({ Ref: GLUE_DATABASE_RESOURCE });
  });

  it('ships no DuckDB file in the Lambda zips (npm run query only)', () => {
    for (const fn of ['ingestCloudwatch', 'ingestKinesis', 'subscribeLogGroups']) {
      const zip = readFileSync(join(out, `${fn}.zip`));
      expect(listZip(zip).map((e) => e.name)).not.toContainEqual(expect.stringMatching(/duckdb/i));
    }
  });
});
