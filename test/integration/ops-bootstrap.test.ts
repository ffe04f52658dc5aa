// Bootstrap against the real local OpenSearch (no plugins) and domain resolution against moto's OpenSearch API.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateDomainCommand } from '@aws-sdk/client-opensearch';
import { afterAll, describe, expect, it } from 'vitest';
import { localEnv } from '#scripts/local/stack.ts';
import { createOpenSearchClient } from '#shared/clients/opensearch.ts';
import {
  createOpenSearchServiceClient,
  resolveOpenSearchEndpoint,
} from '#shared/clients/opensearch-endpoint.ts';
import { parseConfig } from '#shared/config/file.ts';
import { EndpointResolutionError } from '#shared/errors.ts';
import { bootstrapOpenSearch } from '#shared/ops/bootstrap.ts';
import { createOpenSearchSink } from '#shared/sinks/opensearch/sink.ts';
import { transformEvents } from '#shared/transform/transform-events.ts';
import { testConfigPath } from '#test/helpers/config.ts';
import { inputEvent, ROOT } from '#test/helpers/events.ts';

const env = localEnv();
const savedEnv = { ...process.env };
Object.assign(process.env, env);
afterAll(() => {
  process.env = savedEnv;
});

const run = `it-bs-${process.pid}-${Date.now().toString(36)}`;
const prefix = run;
const routePrefix = `${run}-edge`;
const opensearch = createOpenSearchClient({ url: env.OPENSEARCH_URL ?? 'http://127.0.0.1:9200' });
const config = parseConfig({
  version: 1,
  index: { prefix, refresh_interval: '2s', retention_days: 14 },
  routes: [{ name: 'edge', match: { log_group: '/edge/**' }, index_prefix: routePrefix }],
});
const endpoint = { url: env.OPENSEARCH_URL ?? 'http://127.0.0.1:9200' };

afterAll(async () => {
  for (const p of [prefix, routePrefix]) {
    await opensearch.indices.deleteIndexTemplate({ name: `logferry-${p}` }, { ignore: [404] });
  }
  await opensearch.indices.delete({ index: `${prefix}-*`, ignore_unavailable: true } as never, {
    ignore: [404],
  });
});

describe('bootstrap on the local OpenSearch', () => {
  it('installs one template per index prefix, and says clearly that ISM is missing', async () => {
    // Act
    const report = await bootstrapOpenSearch(opensearch, config, endpoint, { replicas: 0 });
    // Assess
    expect(report.templates).toEqual([
      { name: `logferry-${prefix}`, status: 'created' },
      { name: `logferry-${routePrefix}`, status: 'created' },
    ]);
    expect(report.retention).toEqual([]);
    expect(report.retentionSkipped).toMatch(
      /Index State Management plugin is not installed on this cluster \(no handler found/,
    );
  });

  it('a second run is a no-op', async () => {
    const { body: before } = await opensearch.indices.getIndexTemplate({
      name: `logferry-${prefix}`,
    });
    const report = await bootstrapOpenSearch(opensearch, config, endpoint, { replicas: 0 });
    const { body: after } = await opensearch.indices.getIndexTemplate({
      name: `logferry-${prefix}`,
    });
    expect(report.templates.map((t) => t.status)).toEqual(['unchanged', 'unchanged']);
    expect(report.notes).toEqual([]);
    expect(after).toEqual(before);
  });

  it('a changed setting updates the template', async () => {
    const changed = parseConfig({ version: 1, index: { prefix, refresh_interval: '1s' } });
    const report = await bootstrapOpenSearch(opensearch, changed, endpoint, { replicas: 0 });
    expect(report.templates).toEqual([{ name: `logferry-${prefix}`, status: 'updated' }]);
    expect(report.retentionSkipped).toMatch(/retention_days is not set/);
  });

  it('new log indices get the typed mapping and the settings', async () => {
    // Act: the first document creates the daily index from the template.
    const index = `${prefix}-application-2025.11.20`;
    await opensearch.index({
      index,
      id: 'e1',
      refresh: true,
      body: {
        '@timestamp': '2025-11-20T10:00:00.000Z',
        message: 'hello',
        app: { 'a.b': 1, deep: { x: 'y' } },
      },
    });
    // Assess
    const { body: mapping } = await opensearch.indices.getMapping({ index });
    const props = mapping[index]?.mappings.properties as Record<
      string,
      { type?: string; ignore_above?: number }
    >;
    expect(props.app?.type).toBe('flat_object');
    expect(props.message?.type).toBe('text');
    expect(props.tags).toMatchObject({ type: 'keyword', ignore_above: 8191 });
    const { body: settings } = await opensearch.indices.getSettings({ index });
    expect(settings[index]?.settings?.index).toMatchObject({
      refresh_interval: '1s',
      number_of_replicas: '0',
    });
  });

  it('npm run bootstrap -- --json reports the templates', async () => {
    const file = testConfigPath(`${run}.yml`);
    writeFileSync(file, `version: 1\nindex: { prefix: ${prefix}, refresh_interval: 1s }\n`);
    const { stdout } = await promisify(execFile)(
      'npx',
      ['tsx', 'scripts/bootstrap.ts', '--json', '--local', '--config', file],
      {
        cwd: ROOT,
        env: { ...process.env, ...env },
      },
    );
    const report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
    expect(report.templates).toEqual([{ name: `logferry-${prefix}`, status: 'unchanged' }]);
  });
});

describe('OpenSearch endpoint from a domain name (moto)', () => {
  const service = createOpenSearchServiceClient({
    region: env.AWS_REGION,
    endpoint: env.AWS_ENDPOINT_URL,
  });
  const name = `lf${Date.now().toString(36)}${process.pid}`.slice(0, 28);

  it('resolves a public domain to its endpoint and leaves URLs alone', async () => {
    await service.send(
      new CreateDomainCommand({ DomainName: name, EngineVersion: 'OpenSearch_2.19' }),
    );
    expect(await resolveOpenSearchEndpoint(name, service)).toEqual({
      url: `https://${name}.us-east-1.es.amazonaws.com`,
      domain: name,
      vpc: false,
    });
    expect(await resolveOpenSearchEndpoint('http://127.0.0.1:9200/', service)).toEqual({
      url: 'http://127.0.0.1:9200',
    });
  });

  it('prefers the VPC endpoint of a VPC domain', async () => {
    const vpcName = `${name.slice(0, 24)}-vpc`;
    await service.send(
      new CreateDomainCommand({
        DomainName: vpcName,
        VPCOptions: { SubnetIds: ['subnet-1'], SecurityGroupIds: ['sg-1'] },
      }),
    );
    expect(await resolveOpenSearchEndpoint(vpcName, service)).toMatchObject({
      url: `https://${vpcName}.us-east-1.es.amazonaws.com`,
      vpc: true,
    });
  });

  it('names an unknown domain clearly', async () => {
    const unknown = resolveOpenSearchEndpoint('no-such-domain', service);
    await expect(unknown).rejects.toThrow(EndpointResolutionError);
    await expect(unknown).rejects.toThrow(
      /cannot resolve OpenSearch domain no-such-domain: no such domain/,
    );
  });
});

describe('writing without document ids (OpenSearch Serverless time-series collections)', () => {
  it('lets OpenSearch choose the ids: the same events twice make two documents each', async () => {
    // Prepare
    const { routed } = transformEvents(
      [inputEvent('hello'), inputEvent('world', { id: 'ev-2' })],
      config,
    );
    const sink = createOpenSearchSink({
      client: opensearch,
      bulkBytes: 1 << 20,
      concurrency: 1,
      maxFieldBytes: 32766,
      useIds: false,
    });
    // Act
    const first = await sink.index(routed, Date.now() + 10_000);
    await sink.index(routed, Date.now() + 10_000);
    // Assess
    expect(first.map((r) => r.status)).toEqual(['indexed', 'indexed']);
    const index = routed[0]?.index ?? '';
    await opensearch.indices.refresh({ index });
    const { body } = await opensearch.search({
      index,
      body: { size: 10, query: { terms: { 'event.id': ['ev-1', 'ev-2'] } } },
    });
    const ids = body.hits.hits.map((h) => h._id);
    expect(ids).toHaveLength(4);
    expect(ids).not.toContain('ev-1');
  });
});
