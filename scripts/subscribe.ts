// `npm run subscribe -- [--dry-run] [--json]`: attaches logferry's subscription filter to the log groups logferry.yml selects.
import { createCloudWatchLogsClient } from '#shared/clients/cloudwatch-logs.ts';
import { readEnv } from '#shared/config/env.ts';
import { loadConfig } from '#shared/config/yaml.ts';
import { type SubscribeResult, subscribeLogGroups } from '#shared/ops/subscribe.ts';
import { ownLogGroupGlobs, subscriptionTarget } from '#shared/ops/subscribe-plan.ts';
import { type CliRun, runCli } from './cli.ts';

const USAGE = `usage: npm run subscribe -- [--dry-run] [--json] [--log-group NAME]...
         [--destination-arn ARN] [--role-arn ARN] [--stage STAGE] [--config FILE] [--local]

  Puts logferry's subscription filter on every log group matching subscriptions.include /
  exclude in logferry.yml, never on the pipeline's own groups (/aws/lambda/<service>-*), never
  over another filter. --destination-arn (or SUBSCRIPTION_DESTINATION_ARN) is the ingest Lambda or
  Kinesis stream; --role-arn (SUBSCRIPTION_ROLE_ARN) the role CloudWatch Logs uses for Kinesis.
  --log-group limits the run to the named groups; --local talks to the local stack (moto).`;

function detail(r: SubscribeResult): string {
  switch (r.action) {
    case 'update':
      return `changed: ${r.changes.join(', ')}`;
    case 'covered':
      return `already delivered by filter ${r.by}`;
    case 'at-limit':
      return `2 filters already: ${r.filters.join(', ')}`;
    case 'skip':
      return r.reason;
    default:
      return '';
  }
}

function outcome(r: SubscribeResult, dryRun: boolean): string {
  if (r.error) return `FAILED: ${r.error}`;
  if (r.action === 'create' || r.action === 'update')
    return r.applied ? 'done' : dryRun ? 'would do' : '';
  if (r.action === 'at-limit') return 'NOT SUBSCRIBED';
  return '';
}

const OPTIONS = {
  'dry-run': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  'log-group': { type: 'string', multiple: true },
  'destination-arn': { type: 'string' },
  'role-arn': { type: 'string' },
  stage: { type: 'string' },
  config: { type: 'string' },
} as const;

async function main({ values, env: processEnv }: CliRun<typeof OPTIONS>): Promise<number> {
  const env = readEnv({
    ...processEnv,
    ...(values.stage ? { LOGFERRY_STAGE: values.stage } : {}),
    ...(values.config ? { LOGFERRY_CONFIG: values.config } : {}),
  });
  const config = loadConfig(env.configFile);
  const target = subscriptionTarget(config.subscriptions, {
    destinationArn: values['destination-arn'] ?? env.subscriptionDestinationArn,
    roleArn: values['role-arn'] ?? env.subscriptionRoleArn,
  });
  const dryRun = values['dry-run'];
  const groups = values['log-group'];
  const logs = createCloudWatchLogsClient({ region: env.region, endpoint: env.awsEndpoint });
  const report = await subscribeLogGroups(logs, {
    config: config.subscriptions,
    target,
    own: ownLogGroupGlobs(env.service, env.stage),
    scope: groups?.length ? { kind: 'groups', groups } : { kind: 'all' },
    dryRun,
    throttle: {
      onThrottle: ({ operation, delayMs }) => {
        if (!values.json) console.error(`${operation} throttled; retrying in ${delayMs} ms`);
      },
    },
  });

  if (values.json) {
    console.log(JSON.stringify(report));
    return report.failed > 0 ? 1 : 0;
  }
  const shown = report.results.filter((r) => r.action !== 'skip' || r.reason !== 'not-included');
  const rows = shown.map((r) => [r.group, r.action, detail(r), outcome(r, dryRun)]);
  const head = ['log group', 'action', 'detail', dryRun ? 'dry run' : 'result'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  console.log(
    `filter ${target.filterName} -> ${target.destinationArn}${dryRun ? '  (dry run: nothing changed)' : ''}\n`,
  );
  if (rows.length) {
    console.log(line(head));
    for (const r of rows) console.log(line(r));
  }
  const c = report.counts;
  const notIncluded = report.results.length - shown.length;
  console.log(
    `\n${report.listed} log groups: ${c.create} to create, ${c.update} to update, ${c.unchanged} unchanged, ` +
      `${c.covered} covered by another filter, ${c['at-limit']} at the 2-filter limit, ` +
      `${c.skip - notIncluded} skipped (own or excluded), ${notIncluded} not included; ` +
      `${report.applied} filters put, ${report.failed} failed`,
  );
  if (c['at-limit'] > 0) {
    console.log(
      'groups at the limit keep their filters: free one up (or ask its owner), then run again',
    );
  }
  return report.failed > 0 ? 1 : 0;
}

runCli({ name: 'subscribe', usage: USAGE, options: OPTIONS, local: {}, run: main });
