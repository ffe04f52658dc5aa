// Auto-subscription against moto's CloudWatch Logs: matching groups get exactly one logferry filter, nothing else changes.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateLogGroupCommand,
  DescribeSubscriptionFiltersCommand,
  PutSubscriptionFilterCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localEnv } from '#scripts/local/stack.ts';
import { createCloudWatchLogsClient } from '#shared/clients/cloudwatch-logs.ts';
import { parseConfig } from '#shared/config/file.ts';
import { writeValidatedConfig } from '#shared/config/yaml.ts';
import { subscribeLogGroups } from '#shared/ops/subscribe.ts';
import { ownLogGroupGlobs, subscriptionTarget } from '#shared/ops/subscribe-plan.ts';
import { testConfigPath } from '#test/helpers/config.ts';
import { ROOT } from '#test/helpers/events.ts';
import { createKinesisStream } from '#test/helpers/moto.ts';

const run = `it-sub-${process.pid}-${Date.now().toString(36)}`;
const root = `/${run}`;
const env = localEnv();
// The SDK (and the subscribe function, at import) read credentials and endpoint from the environment.
const savedEnv = { ...process.env };
Object.assign(process.env, env);
afterAll(() => {
  process.env = savedEnv;
});
const logs = createCloudWatchLogsClient({ region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL });
const ROLE = 'arn:aws:iam::123456789012:role/logferry-cwl-to-kinesis';
// A stage of its own: its "own" log group is unique to this run, so other runs' groups do not matter.
const stage = run.replace(/[^a-z0-9]/g, '');
const ownGroup = `/aws/lambda/logferry-${stage}-ingestCloudwatch`;
const config = parseConfig({
  version: 1,
  subscriptions: {
    include: [`${root}/**`, `/aws/lambda/logferry-${stage}-*`],
    exclude: [`${root}/**/debug`],
    destination: 'kinesis',
  },
}).subscriptions;

let destination: string;
let foreign: string;

async function filtersOf(group: string) {
  const out = await logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: group }));
  const filters = (out.subscriptionFilters ?? []).map((f) => ({
    name: f.filterName,
    destination: f.destinationArn,
    pattern: f.filterPattern,
  }));
  return filters.sort((a, b) => String(a.name).localeCompare(String(b.name)));
}

async function createGroup(name: string, foreignFilters: string[] = []) {
  await logs.send(new CreateLogGroupCommand({ logGroupName: name }));
  for (const filterName of foreignFilters) {
    await logs.send(
      new PutSubscriptionFilterCommand({
        logGroupName: name,
        filterName,
        filterPattern: '',
        destinationArn: foreign,
        roleArn: ROLE,
      }),
    );
  }
}

beforeAll(async () => {
  destination = await createKinesisStream(`${run}-ingest`);
  foreign = await createKinesisStream(`${run}-other-team`);
  await createGroup(`${root}/web/nginx`);
  await createGroup(`${root}/web/app`, ['team-a']);
  await createGroup(`${root}/web/full`, ['team-a', 'team-b']);
  await createGroup(`${root}/web/debug`);
  await createGroup(ownGroup);
  await createGroup(`/${run}-elsewhere/app`);
});

function subscribe(
  dryRun = false,
  scope: { kind: 'all' } | { kind: 'groups'; groups: string[] } = { kind: 'all' },
) {
  const target = subscriptionTarget(config, { destinationArn: destination, roleArn: ROLE });
  return subscribeLogGroups(logs, {
    config,
    target,
    own: ownLogGroupGlobs('logferry', stage),
    scope,
    dryRun,
  });
}

describe('subscribe against moto', () => {
  it('a dry run plans without changing anything', async () => {
    // Act
    const report = await subscribe(true);
    // Assess
    expect(report.counts).toMatchObject({ create: 2, 'at-limit': 1, skip: 2 });
    expect(report.applied).toBe(0);
    expect(await filtersOf(`${root}/web/nginx`)).toEqual([]);
  });

  it('attaches exactly one filter to each matching group and none to its own or excluded groups', async () => {
    // Act
    const report = await subscribe();
    // Assess
    expect(report.failed).toBe(0);
    expect(report.applied).toBe(2);
    expect(await filtersOf(`${root}/web/nginx`)).toEqual([
      { name: 'logferry', destination, pattern: '' },
    ]);
    expect(await filtersOf(`${root}/web/app`)).toEqual([
      { name: 'logferry', destination, pattern: '' },
      { name: 'team-a', destination: foreign, pattern: '' },
    ]);
    expect(await filtersOf(`${root}/web/debug`)).toEqual([]);
    expect(await filtersOf(ownGroup)).toEqual([]);
    expect(await filtersOf(`/${run}-elsewhere/app`)).toEqual([]);
  });

  it("reports a group at the 2-filter limit and leaves the other teams' filters alone", async () => {
    const report = await subscribe();
    expect(report.results.find((r) => r.group === `${root}/web/full`)).toMatchObject({
      action: 'at-limit',
      filters: ['team-a', 'team-b'],
      applied: false,
    });
    expect((await filtersOf(`${root}/web/full`)).map((f) => [f.name, f.destination])).toEqual([
      ['team-a', foreign],
      ['team-b', foreign],
    ]);
  });

  it('a second run changes nothing', async () => {
    const report = await subscribe();
    expect(report.applied).toBe(0);
    expect(report.counts).toMatchObject({ create: 0, update: 0, unchanged: 2 });
  });

  it('updates only its own filter, by name, when the pattern changes', async () => {
    // Prepare: someone edited logferry's filter by hand.
    await logs.send(
      new PutSubscriptionFilterCommand({
        logGroupName: `${root}/web/nginx`,
        filterName: 'logferry',
        filterPattern: 'ERROR',
        destinationArn: destination,
        roleArn: ROLE,
      }),
    );
    // Act
    const report = await subscribe(false, { kind: 'groups', groups: [`${root}/web/nginx`] });
    // Assess
    expect(report.results).toEqual([
      { group: `${root}/web/nginx`, action: 'update', changes: ['pattern'], applied: true },
    ]);
    expect(await filtersOf(`${root}/web/nginx`)).toEqual([
      { name: 'logferry', destination, pattern: '' },
    ]);
  });

  it('the subscribe function subscribes the group a CloudTrail CreateLogGroup event names', async () => {
    // Prepare
    const group = `${root}/web/new`;
    await createGroup(group);
    const yaml = testConfigPath(`${run}.yml`);
    writeFileSync(
      yaml,
      `version: 1\nsubscriptions:\n  include: ['${root}/**']\n  destination: kinesis\n`,
    );
    // The function reads validated JSON only, as serverless package writes it.
    const { file } = writeValidatedConfig(yaml, testConfigPath(`${run}.json`));
    Object.assign(process.env, {
      LOGFERRY_CONFIG: file,
      LOGFERRY_STAGE: stage,
      SUBSCRIPTION_DESTINATION_ARN: destination,
      SUBSCRIPTION_ROLE_ARN: ROLE,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    const { handler } = await import('#functions/subscribe.ts');
    const event = {
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.logs',
      detail: {
        eventSource: 'logs.amazonaws.com',
        eventName: 'CreateLogGroup',
        requestParameters: { logGroupName: group },
      },
    };
    // Act
    const summary = await handler(event as never, {} as never);
    // Assess
    expect(summary).toMatchObject({ scope: 'groups', listed: 1, applied: 1, failed: 0 });
    expect(await filtersOf(group)).toEqual([{ name: 'logferry', destination, pattern: '' }]);
  });

  it('npm run subscribe -- --json prints one report line', async () => {
    const file = testConfigPath(`${run}-cli.yml`);
    writeFileSync(
      file,
      `version: 1\nsubscriptions:\n  include: ['${root}/**']\n  exclude: ['${root}/**/debug']\n  destination: kinesis\n`,
    );
    const { stdout } = await promisify(execFile)(
      'npx',
      [
        'tsx',
        'scripts/subscribe.ts',
        '--json',
        '--config',
        file,
        '--destination-arn',
        destination,
        '--role-arn',
        ROLE,
      ],
      { cwd: ROOT, env: { ...process.env, ...env } },
    );
    const report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
    expect(report).toMatchObject({
      applied: 0,
      failed: 0,
      counts: { create: 0, unchanged: 3, 'at-limit': 1, skip: 1 },
    });
  });
});
