// `npm run backfill -- --log-group NAME --start ISO --end ISO [--json]`: indexes a log group's history like live data.
import { createCloudWatchLogsClient } from '#shared/clients/cloudwatch-logs.ts';
import { createOpenSearchClient } from '#shared/clients/opensearch.ts';
import {
  createOpenSearchServiceClient,
  resolveOpenSearchEndpoint,
} from '#shared/clients/opensearch-endpoint.ts';
import { ingestEnv, readEnv } from '#shared/config/env.ts';
import { loadConfig } from '#shared/config/yaml.ts';
import { type BackfillProgress, backfillLogGroup } from '#shared/ops/backfill.ts';
import { parseTimeRange } from '#shared/ops/backfill-plan.ts';
import { installTemplates } from '#shared/ops/templates.ts';
import { createRuntime } from '#shared/runtime.ts';
import { documentIdPolicy } from '#shared/sinks/opensearch/document-ids.ts';
import { type CliRun, runCli, UsageError } from './cli.ts';

const USAGE = `usage: npm run backfill -- --log-group NAME --start ISO --end ISO [--json] [--config FILE] [--local]

  Reads the log group's events from --start to --end (FilterLogEvents) and sends them through the
  pipeline into OpenSearch and the S3 archive, with the CloudWatch event ids as document ids: live
  data and earlier runs are overwritten, never duplicated. No Slack alerts for history.
  Uses OPENSEARCH_URL (a URL or a domain name), ARCHIVE_BUCKET and the AWS environment; with
  neither OPENSEARCH_URL nor AWS_ENDPOINT_URL set (or --local) it runs against the local stack.`;

function progressLine(p: BackfillProgress, startMs: number, endMs: number): string {
  const at = p.position === undefined ? '' : ` up to ${new Date(p.position).toISOString()}`;
  const pct =
    p.position === undefined
      ? ''
      : ` (${Math.min(100, Math.round(((p.position - startMs) / (endMs - startMs)) * 100))}%)`;
  return `page ${p.pages}: ${p.events} events, ${p.indexed} indexed${at}${pct}`;
}

const OPTIONS = {
  'log-group': { type: 'string' },
  start: { type: 'string' },
  end: { type: 'string' },
  json: { type: 'boolean', default: false },
  config: { type: 'string' },
} as const;

async function main(cli: CliRun<typeof OPTIONS>): Promise<number> {
  const { values } = cli;
  const logGroup = values['log-group'];
  if (!logGroup) throw new UsageError('--log-group is required');
  const range = parseTimeRange(values.start, values.end);
  const base = readEnv(cli.env);
  const { region, awsEndpoint } = base;
  // The pipeline's environment wants a URL; a domain name is looked up first.
  const endpoint = await resolveOpenSearchEndpoint(
    base.opensearchEndpoint ?? '',
    createOpenSearchServiceClient({ region, endpoint: awsEndpoint }),
  );
  const env = ingestEnv({ ...base, opensearchEndpoint: endpoint.url });
  const config = loadConfig(values.config ?? env.configFile);
  const ids = documentIdPolicy(endpoint.url, config.opensearch.serverless_collection_type);
  if (ids.warning) console.error(`backfill: ${ids.warning}`);
  if (cli.local) {
    const client = createOpenSearchClient({ url: endpoint.url });
    await installTemplates(client, config, { replicas: 0, refreshInterval: '1s' });
  }
  // No alerts for history: the runtime builds neither the alert stage nor its webhook book.
  const { sinks } = createRuntime(env, config, { alerts: false });
  const logs = createCloudWatchLogsClient({ region, endpoint: awsEndpoint });

  // Progress is for people: only on a terminal, on stderr, rewritten in place.
  const tty = process.stderr.isTTY && !values.json;
  const report = await backfillLogGroup(logs, {
    logGroup,
    ...range,
    config,
    sinks,
    region,
    onProgress: tty
      ? (p) => process.stderr.write(`\r\x1b[2K${progressLine(p, range.startMs, range.endMs)}`)
      : undefined,
    throttle: {
      onThrottle: ({ operation, delayMs }) => {
        if (!values.json) console.error(`\n${operation} throttled; retrying in ${delayMs} ms`);
      },
    },
  });
  if (tty) process.stderr.write('\n');

  if (values.json) console.log(JSON.stringify(report));
  else {
    console.log(`${report.logGroup} ${report.start} .. ${report.end}`);
    console.log(
      `  ${report.pages} pages, ${report.events} events, ${report.documents} documents, ${report.indexed} indexed, ` +
        `${report.archived} archived, ${report.deadLettered} dead-lettered`,
    );
    const dropped = Object.entries(report.dropped);
    if (dropped.length)
      console.log(`  dropped by rule: ${dropped.map(([r, n]) => `${r} ${n}`).join(', ')}`);
    if (report.incomplete) {
      console.log(`  STOPPED: ${report.incomplete.error}`);
      console.log(
        `  run again with --start ${report.incomplete.resumeFrom} (repeats overwrite, never duplicate)`,
      );
    }
  }
  return report.incomplete ? 1 : 0;
}

runCli({
  name: 'backfill',
  usage: USAGE,
  options: OPTIONS,
  local: { orWhenUnset: ['OPENSEARCH_URL', 'AWS_ENDPOINT_URL'] },
  run: main,
});
