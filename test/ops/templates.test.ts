import { describe, expect, it } from 'vitest';
import { parseConfig } from '#shared/config/file.ts';
import { retentionPolicy, retentionPolicyId } from '#shared/ops/retention.ts';
import {
  KEYWORD_IGNORE_ABOVE,
  LOG_MAPPINGS,
  logIndexTemplate,
  templateName,
  templateSettings,
} from '#shared/ops/templates.ts';
import { documentIdPolicy } from '#shared/sinks/opensearch/document-ids.ts';

/** Every `{ type: … }` leaf of a mapping with its dotted path. */
function leaves(node: unknown, path = ''): [string, Record<string, unknown>][] {
  const n = node as { type?: string; properties?: Record<string, unknown> };
  if (n.properties)
    return Object.entries(n.properties).flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k));
  return n.type ? [[path, n as Record<string, unknown>]] : [];
}

describe('log index template', () => {
  it('types message as text, app as flat_object and the ECS numbers, dates and IPs', () => {
    const fields = Object.fromEntries(leaves(LOG_MAPPINGS).map(([p, m]) => [p, m.type]));
    expect(fields).toMatchObject({
      '@timestamp': 'date',
      message: 'text',
      app: 'flat_object',
      'http.response.status_code': 'long',
      'event.duration': 'long',
      'source.ip': 'ip',
      'aws.cloudwatch.log_group': 'keyword',
      'kubernetes.labels': 'flat_object',
    });
  });

  it('types what enrichment adds: geo_point locations, AS numbers, user agent keywords', () => {
    const fields = Object.fromEntries(leaves(LOG_MAPPINGS).map(([p, m]) => [p, m.type]));
    expect(fields).toMatchObject({
      'source.geo.location': 'geo_point',
      'client.geo.location': 'geo_point',
      'source.geo.country_iso_code': 'keyword',
      'source.geo.city_name': 'keyword',
      'source.as.number': 'long',
      'source.as.organization.name': 'keyword',
      'user_agent.name': 'keyword',
      'user_agent.os.version': 'keyword',
      'user_agent.device.name': 'keyword',
    });
  });

  it('caps every keyword at 8191 characters or less', () => {
    const keywords = leaves(LOG_MAPPINGS).filter(([, m]) => m.type === 'keyword');
    expect(keywords.length).toBeGreaterThan(20);
    for (const [path, m] of keywords)
      expect([path, m.ignore_above]).toEqual([path, expect.any(Number)]);
    expect(Math.max(...keywords.map(([, m]) => m.ignore_above as number))).toBeLessThanOrEqual(
      KEYWORD_IGNORE_ABOVE,
    );
    const dynamic = LOG_MAPPINGS.dynamic_templates[0].strings_as_keyword.mapping;
    expect(dynamic.ignore_above).toBeLessThanOrEqual(8191);
  });

  it('takes shards, replicas and refresh interval from logferry.yml, overrides winning', () => {
    const config = parseConfig({
      version: 1,
      index: { shards: 3, replicas: 2, refresh_interval: '30s' },
    });
    const body = logIndexTemplate(['logs'], templateSettings(config, { replicas: 0 }));
    expect(body.index_patterns).toEqual(['logs-access-*', 'logs-error-*', 'logs-application-*']);
    expect(body.template.settings).toMatchObject({
      number_of_shards: 3,
      number_of_replicas: 0,
      refresh_interval: '30s',
    });
    expect(templateName('logs')).toBe('logferry-logs');
  });

  it('leaves shard and refresh settings to OpenSearch Serverless, which refuses them', () => {
    expect(logIndexTemplate(['logs'], { serverless: true }).template.settings).toEqual({});
  });

  it('stamps a hash that changes with the content and only with it', () => {
    const a = logIndexTemplate(['logs'], { refreshInterval: '5s' })._meta.hash;
    expect(logIndexTemplate(['logs'], { refreshInterval: '5s' })._meta.hash).toBe(a);
    expect(logIndexTemplate(['logs'], { refreshInterval: '10s' })._meta.hash).not.toBe(a);
  });

  it('rejects a malformed refresh interval with its path', () => {
    expect(() => parseConfig({ version: 1, index: { refresh_interval: '5 seconds' } })).toThrow(
      /index\.refresh_interval/,
    );
  });
});

describe('retention policy', () => {
  it('deletes a prefix’s indices N days after creation and attaches itself to new ones', () => {
    const { policy } = retentionPolicy('logs', 30);
    expect(retentionPolicyId('logs')).toBe('logferry-logs-retention');
    expect(policy.states).toEqual([
      {
        name: 'hot',
        actions: [],
        transitions: [{ state_name: 'delete', conditions: { min_index_age: '30d' } }],
      },
      { name: 'delete', actions: [{ delete: {} }], transitions: [] },
    ]);
    expect(policy.ism_template).toEqual([
      { index_patterns: ['logs-access-*', 'logs-error-*', 'logs-application-*'], priority: 100 },
    ]);
    expect(retentionPolicy('logs', 7).policy.description).not.toBe(policy.description);
  });
});

describe('documentIdPolicy', () => {
  it('writes ids everywhere but to OpenSearch Serverless time-series collections, and says so', () => {
    expect(documentIdPolicy('https://search-x.eu-west-1.es.amazonaws.com', 'timeseries')).toEqual({
      useIds: true,
    });
    expect(documentIdPolicy('https://abc.eu-west-1.aoss.amazonaws.com', 'search')).toEqual({
      useIds: true,
    });
    const ts = documentIdPolicy('https://abc.eu-west-1.aoss.amazonaws.com', 'timeseries');
    expect(ts.useIds).toBe(false);
    expect(ts.warning).toMatch(/refuse custom document ids/);
  });
});
