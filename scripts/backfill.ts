// `npm run backfill -- --log-group NAME --start ISO --end ISO [--json]`: indexes a log group's history like live data.
import { parseArgs } from 'node:util';
import { createCloudWatchLogsClient } from '#shared/clients/cloudwatch-logs.ts';
import { createOpenSearchClient } from '#shared/clients/opensearch.ts';
import {
  createOpenSearchServiceClient,
  resolveOpenSearchEndpoint,
} from '#shared/clients/opensearch-endpoint.ts';
import { readRuntimeEnv } from '#shared/config/env.ts';
import { loadConfig } from '#shared/config/load.ts';
import { ConfigError, EndpointResolutionError } from '#shared/errors.ts';
import { type BackfillProgress, backfillLogGroup } from '#shared/ops/backfill.ts';
import { parseTimeRange } from '#shared/ops/backfill-plan.ts';
import { installTemplates } from '#shared/ops/templates.ts';
import { createRuntime } from '#shared/runtime.ts';
import { documentIdPolicy } from '#shared/sinks/opensearch/document-ids.ts';

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

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'log-group': { type: 'string' },
      start: { type: 'string' },
      end: { type: 'string' },
      json: { type: 'boolean', default: false },
      config: { type: 'string' },
      local: { type: 'boolean', default: false },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const logGroup = values['log-group'];
  if (!logGroup) throw new ConfigError('--log-group is required', undefined, '--log-group');
  const range = parseTimeRange(values.start, values.end);
  if (values.config) process.env.LOGFERRY_CONFIG = values.config;

  const local = values.local || !(process.env.OPENSEARCH_URL || process.env.AWS_ENDPOINT_URL);
  if (local) {
    const { ensureStack, localEnv } = await import('./local/stack.ts');
    await ensureStack();
    for (const [k, v] of Object.entries(localEnv())) process.env[k] ??= v;
  }
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const awsEndpoint = process.env.AWS_ENDPOINT_URL || undefined;
  // The pipeline's environment wants a URL; a domain name is looked up first.
  const endpoint = await resolveOpenSearchEndpoint(
    process.env.OPENSEARCH_URL ?? '',
    createOpenSearchServiceClient({ region, endpoint: awsEndpoint }),
  );
  process.env.OPENSEARCH_URL = endpoint.url;
  const env = readRuntimeEnv(process.env);
  const config = loadConfig(env.configFile);
  const ids = documentIdPolicy(endpoint.url, config.opensearch.serverless_collection_type);
  if (ids.warning) console.error(`backfill: ${ids.warning}`);
  if (local) {
    const client = createOpenSearchClient({ url: endpoint.url });
    await installTemplates(client, config, { replicas: 0, refreshInterval: '1s' });
  }
  const { index, archive, deadLetter } = createRuntime(env, config).sinks;
  const logs = createCloudWatchLogsClient({ region, endpoint: awsEndpoint });

  // Progress is for people: only on a terminal, on stderr, rewritten in place.
  const tty = process.stderr.isTTY && !values.json;
  const report = await backfillLogGroup(logs, {
    logGroup,
    ...range,
    config,
    sinks: { index, archive, deadLetter },
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

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const e = err as Error;
    const known =
      e instanceof ConfigError ||
      e instanceof EndpointResolutionError ||
      e.name === 'ResourceNotFoundException';
    console.error(`backfill: ${known ? e.message : (e.stack ?? e)}`);
    process.exitCode = known ? 2 : 1;
  },
);
