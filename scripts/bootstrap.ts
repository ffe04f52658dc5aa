// `npm run bootstrap -- [--endpoint URL|DOMAIN] [--dashboards-url URL] [--json]`: index templates, retention policies, Dashboards objects.
import { importSavedObjects } from '#shared/clients/dashboards.ts';
import { createOpenSearchClient, dashboardsUrlOf } from '#shared/clients/opensearch.ts';
import {
  createOpenSearchServiceClient,
  resolveOpenSearchEndpoint,
} from '#shared/clients/opensearch-endpoint.ts';
import { readEnv } from '#shared/config/env.ts';
import { loadConfig } from '#shared/config/yaml.ts';
import { ConfigError } from '#shared/errors.ts';
import { bootstrapOpenSearch } from '#shared/ops/bootstrap.ts';
import { type CliRun, runCli } from './cli.ts';

const USAGE = `usage: npm run bootstrap -- [--endpoint URL|DOMAIN] [--dashboards-url URL] [--no-dashboards]
                             [--config FILE] [--json] [--local]

  Installs logferry's index templates (one per index prefix) and, when index.retention_days is set
  and the cluster has the ISM plugin, a retention policy per prefix. Safe to run again: what is
  already current is left alone. The endpoint (--endpoint, else OPENSEARCH_URL) is a URL or an
  Amazon OpenSearch Service domain name, resolved with DescribeDomain. With neither (or --local) it
  uses the local stack, with 0 replicas since that has one node.

  Then imports the OpenSearch Dashboards objects (dashboards/logferry.ndjson, made from the config)
  into the Dashboards at --dashboards-url, else DASHBOARDS_URL, else https://<endpoint>/_dashboards
  for an AWS domain (SigV4-signed). Only logferry's own objects (ids logferry-…) are overwritten.`;

const OPTIONS = {
  endpoint: { type: 'string' },
  'dashboards-url': { type: 'string' },
  'no-dashboards': { type: 'boolean', default: false },
  config: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

async function main(cli: CliRun<typeof OPTIONS>): Promise<number> {
  const { values } = cli;
  // Nothing configured: the local stack, as `npm run replay` does.
  if (!cli.local && !values.endpoint && !cli.env.OPENSEARCH_URL) {
    if (!values.json) console.log('no --endpoint or OPENSEARCH_URL: using the local stack');
    await cli.localStack();
  }
  const local = cli.local;
  const env = readEnv({
    ...cli.env,
    ...(values.config ? { LOGFERRY_CONFIG: values.config } : {}),
  });
  const config = loadConfig(env.configFile);
  const value = values.endpoint ?? env.opensearchEndpoint;
  if (!value)
    throw new ConfigError(
      'no OpenSearch endpoint: pass --endpoint URL|DOMAIN or set OPENSEARCH_URL',
      undefined,
      'OPENSEARCH_URL',
    );
  const endpoint = await resolveOpenSearchEndpoint(
    value,
    createOpenSearchServiceClient({ region: env.region, endpoint: env.awsEndpoint }),
  );
  const client = createOpenSearchClient({ url: endpoint.url, region: env.region });
  // A single local node can never place replicas: the indices would stay yellow.
  const overrides = local ? { replicas: 0 } : {};
  const dashboardsUrl = values['no-dashboards']
    ? undefined
    : (values['dashboards-url'] ??
      (cli.env.DASHBOARDS_URL?.trim() || dashboardsUrlOf(endpoint.url)));
  const dashboards = dashboardsUrl
    ? {
        url: dashboardsUrl,
        import: (ndjson: string) =>
          importSavedObjects({ url: dashboardsUrl, region: env.region }, ndjson),
      }
    : undefined;
  const report = await bootstrapOpenSearch(client, config, endpoint, overrides, dashboards);
  const failed = (report.dashboards?.errors.length ?? 0) > 0;

  if (values.json) {
    console.log(JSON.stringify(report));
    return failed ? 1 : 0;
  }
  console.log(`OpenSearch ${report.endpoint}`);
  for (const t of report.templates)
    console.log(`  index template ${t.name.padEnd(40)} ${t.status}`);
  for (const r of report.retention)
    console.log(`  ISM policy     ${r.policy.padEnd(40)} ${r.status}`);
  if (report.retentionSkipped) console.log(`  retention: skipped: ${report.retentionSkipped}`);
  if (report.dashboards) {
    const d = report.dashboards;
    console.log(`OpenSearch Dashboards ${d.url}`);
    console.log(
      `  saved objects  ${d.imported}/${d.objects} imported (logferry-… ids overwritten)`,
    );
    for (const e of d.errors) console.log(`  FAILED: ${e}`);
  } else if (report.dashboardsSkipped)
    console.log(`  dashboards: skipped: ${report.dashboardsSkipped}`);
  for (const n of report.notes) console.log(`  note: ${n}`);
  return failed ? 1 : 0;
}

runCli({ name: 'bootstrap', usage: USAGE, options: OPTIONS, local: {}, run: main });
