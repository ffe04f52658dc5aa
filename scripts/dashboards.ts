// `npm run dashboards [-- --config FILE] [--check]`: writes what is generated from logferry.yml and the index
// template: the OpenSearch Dashboards export and the Athena table definition serverless.yml reads.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '#shared/config/yaml.ts';
import { athenaTableDefinition } from '#shared/ops/archive-table.ts';
import { dashboardObjects, toNdjson } from '#shared/ops/dashboards/generate.ts';

/** The resource name serverless.yml gives the Glue database; the view definition refers to it. */
export const GLUE_DATABASE_RESOURCE = 'LogferryAthenaDatabase';
export const DASHBOARDS_FILE = 'dashboards/logferry.ndjson';
export const ATHENA_FILE = 'dashboards/athena-table.json';

/** The generated files and their content, for a configuration file. */
export function generatedFiles(configFile: string): Record<string, string> {
  const config = loadConfig(configFile);
  return {
    [DASHBOARDS_FILE]: toNdjson(dashboardObjects(config)),
    [ATHENA_FILE]: `${JSON.stringify(athenaTableDefinition(GLUE_DATABASE_RESOURCE), null, 2)}\n`,
  };
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function main(): number {
  const { values } = parseArgs({
    options: {
      config: { type: 'string', default: 'logferry.yml' },
      check: { type: 'boolean', default: false },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(
      'usage: npm run dashboards -- [--config logferry.yml] [--check]\n\n' +
        `  Writes ${DASHBOARDS_FILE} (OpenSearch Dashboards saved objects for every index prefix) and\n` +
        `  ${ATHENA_FILE} (Glue columns and the deduplicating view) from the configuration and the index\n` +
        '  template. --check writes nothing and fails when either file is out of date.',
    );
    return 0;
  }
  const stale: string[] = [];
  for (const [file, text] of Object.entries(generatedFiles(values.config))) {
    if (read(file) === text) continue;
    if (values.check) stale.push(file);
    else {
      writeFileSync(file, text);
      console.log(`wrote ${file}`);
    }
  }
  if (stale.length > 0) {
    console.error(`out of date: ${stale.join(', ')}; run npm run dashboards`);
    return 1;
  }
  if (values.check) console.log('generated files are up to date');
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main();
