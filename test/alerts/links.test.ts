import risonNode from 'rison-node';
import { describe, expect, it } from 'vitest';
import { renderAlertMessage } from '#shared/alerts/block-kit.ts';
import { groupMatches } from '#shared/alerts/group.ts';
import {
  dashboardsBase,
  discoverUrl,
  fingerprintQuery,
  indexPrefixOf,
  luceneQuote,
} from '#shared/alerts/links.ts';
import { compileAlertRules } from '#shared/alerts/rules.ts';
import { dashboardsUrlOf } from '#shared/clients/opensearch.ts';
import { parseConfig } from '#shared/config/file.ts';
import type { Routed } from '#shared/model.ts';
import { indexPatternId } from '#shared/ops/dashboards/ids.ts';
import { createRecordingSinks } from '#shared/sinks/recording.ts';
import { ingestKinesis } from '#shared/sources/kinesis.ts';
import { configWith, jsonError, routedOf } from '#test/helpers/alerts.ts';
import {
  cloudWatchLogsData,
  fireLensLine,
  kinesisEvent,
  kinesisRecord,
  sequenceNumber,
} from '#test/helpers/kinesis-events.ts';

const rules = compileAlertRules(configWith({ rules: [{ name: 'errors' }] }).alerts);

/** The `_a` and `_g` state of a Discover URL, decoded the way Dashboards decodes them. */
function discoverState(url: string): { a: Record<string, unknown>; g: Record<string, unknown> } {
  const hash = new URL(url).hash;
  const params = new URLSearchParams(hash.slice(hash.indexOf('?') + 1));
  return {
    a: risonNode.decode(params.get('_a') ?? '') as Record<string, unknown>,
    g: risonNode.decode(params.get('_g') ?? '') as Record<string, unknown>,
  };
}

/** Slack `<url|label>` links of a rendered message. */
function linksOf(message: { blocks: unknown[] }): Map<string, string> {
  const links = new Map<string, string>();
  for (const b of message.blocks as { type: string; elements?: { text: string }[] }[]) {
    for (const e of b.elements ?? [])
      for (const m of e.text.matchAll(/<([^|>]+)\|([^>]+)>/g)) links.set(m[2]!, m[1]!);
  }
  return links;
}

async function kinesisRouted(records: ReturnType<typeof kinesisRecord>[]): Promise<Routed[]> {
  const sinks = createRecordingSinks();
  const config = parseConfig({ version: 1 });
  await ingestKinesis(kinesisEvent(records), { config, sinks }, Date.now() + 10_000);
  return sinks.indexed;
}

describe('fingerprintQuery and luceneQuote', () => {
  it('quotes values with quotes, spaces, slashes and backslashes as Lucene phrases', () => {
    expect(luceneQuote('/ecs/my app/"blue"')).toBe('"/ecs/my app/\\"blue\\""');
    expect(luceneQuote('C:\\temp')).toBe('"C:\\\\temp"');
    expect(
      fingerprintQuery({
        logGroup: '/ecs/web "edge"/nginx',
        errorType: 'Bad"Type',
        normalized: 'Bad"Type: upstream /api/v1 timed out after <n> ms',
      }),
    ).toBe(
      'aws.cloudwatch.log_group:"/ecs/web \\"edge\\"/nginx" AND error.type:"Bad\\"Type" AND message:"upstream /api/v1 timed out after"',
    );
  });

  it('filters Kinesis data on its stream, never on a log group it does not have', () => {
    const query = fingerprintQuery({
      logGroup: 'app-logs',
      kinesisStream: 'app-logs',
      normalized: 'payment <n> declined',
    });
    expect(query).toBe(
      'aws.kinesis.stream:"app-logs" AND message:"declined" AND message:"payment"',
    );
    expect(query).not.toContain('aws.cloudwatch');
  });
});

describe('discoverUrl', () => {
  it('survives rison and URL encoding: the decoded query and pattern are what went in', () => {
    // Prepare: every character that rison or a URL treats specially.
    const query = `aws.kinesis.stream:"my stream/it's!" AND message:"a & b #1 (50%) ?x=1"`;
    // Act
    const url = discoverUrl({
      baseUrl: 'https://search-x.eu-west-1.es.amazonaws.com/_dashboards/',
      indexPattern: 'logferry-logs-index-pattern-all',
      query,
      from: Date.UTC(2025, 10, 20, 10),
      to: Date.UTC(2025, 10, 20, 10, 5),
    });
    // Assess
    expect(url).toMatch(
      /^https:\/\/search-x\.eu-west-1\.es\.amazonaws\.com\/_dashboards\/app\/discover#\/\?_g=/,
    );
    // No raw space or quote anywhere, and one `#` (the route) and `&` (between _g and _a).
    expect(url).not.toMatch(/[\s"]/);
    expect(url.split('#')).toHaveLength(2);
    expect(url.split('&')).toHaveLength(2);
    const { a, g } = discoverState(url);
    expect(a).toEqual({
      index: 'logferry-logs-index-pattern-all',
      query: { language: 'lucene', query },
    });
    expect(g).toEqual({
      time: { from: '2025-11-20T09:55:00.000Z', to: '2025-11-20T10:10:00.000Z' },
    });
  });
});

describe('dashboardsBase', () => {
  it('derives /_dashboards for AWS domains and Serverless collections, nothing for other hosts', () => {
    expect(dashboardsUrlOf('https://search-logs-abc.eu-west-1.es.amazonaws.com/')).toBe(
      'https://search-logs-abc.eu-west-1.es.amazonaws.com/_dashboards',
    );
    expect(dashboardsUrlOf('https://abc123.us-east-1.aoss.amazonaws.com')).toBe(
      'https://abc123.us-east-1.aoss.amazonaws.com/_dashboards',
    );
    expect(dashboardsUrlOf('http://127.0.0.1:9200')).toBeUndefined();
    expect(dashboardsUrlOf('not a url')).toBeUndefined();
  });

  it('prefers the configured URL, and leaves links out when discover is false', () => {
    const aws = dashboardsUrlOf('https://search-logs-abc.eu-west-1.es.amazonaws.com');
    expect(dashboardsBase({ dashboards_url: 'https://dash.example.com' }, aws)).toBe(
      'https://dash.example.com',
    );
    expect(dashboardsBase({}, aws)).toBe(
      'https://search-logs-abc.eu-west-1.es.amazonaws.com/_dashboards',
    );
    expect(dashboardsBase({ discover: false }, aws)).toBeUndefined();
    expect(dashboardsBase({}, dashboardsUrlOf('http://127.0.0.1:9200'))).toBeUndefined();
  });

  it('reads the index prefix off a daily index name, dashes and all', () => {
    expect(indexPrefixOf('acme-logs-error-2025.11.20', 'error')).toBe('acme-logs');
    expect(indexPrefixOf('logs-error-2025.11.20', 'access')).toBeUndefined();
    expect(indexPrefixOf('logs-error', 'error')).toBeUndefined();
    expect(indexPrefixOf(undefined, 'error')).toBeUndefined();
  });
});

describe('alert links by source', () => {
  const dashboardsUrl = 'https://search-x.eu-west-1.es.amazonaws.com/_dashboards';
  // What runtime.ts hands in: logferry's own `<prefix>-*` pattern ids.
  const indexPatternOf = (prefix: string) => indexPatternId(prefix, 'all');

  it('CloudWatch Logs data: a console link to its group and stream, and Discover on the group', () => {
    // Prepare
    const routed = routedOf([jsonError('card declined for order 1234')], {
      group: '/ecs/pay ments',
      stream: 'web/1',
    });
    // Act
    const links = linksOf(
      renderAlertMessage(groupMatches(routed, rules), { dashboardsUrl, indexPatternOf }),
    );
    // Assess
    expect(links.get('CloudWatch Logs')).toContain(
      'log-group/$252Fecs$252Fpay$2520ments/log-events/web$252F1',
    );
    const { a } = discoverState(links.get('OpenSearch Discover')!);
    expect(a.index).toBe('logferry-logs-index-pattern-all');
    expect((a.query as { query: string }).query).toMatch(
      /^aws\.cloudwatch\.log_group:"\/ecs\/pay ments" AND message:"card declined for order"/,
    );
  });

  it('FireLens data through Kinesis: no console link, Discover filtered on the stream', async () => {
    // Prepare
    const routed = await kinesisRouted([
      kinesisRecord(fireLensLine(jsonError('card declined for order 1234')), {
        seq: sequenceNumber(1),
      }),
    ]);
    // Act
    const groups = groupMatches(routed, rules);
    const links = linksOf(renderAlertMessage(groups, { region: 'us-east-1', dashboardsUrl }));
    // Assess
    expect(groups[0]?.kinesisStream).toBe('logferry-logs');
    expect(links.has('CloudWatch Logs')).toBe(false);
    const { a } = discoverState(links.get('OpenSearch Discover')!);
    expect((a.query as { query: string }).query).toBe(
      'aws.kinesis.stream:"logferry-logs" AND message:"card declined for order"',
    );
  });

  it('CloudWatch Logs payloads carried by Kinesis keep their console link', async () => {
    // Prepare
    const routed = await kinesisRouted([
      kinesisRecord(
        cloudWatchLogsData({
          messageType: 'DATA_MESSAGE',
          owner: '123456789012',
          logGroup: '/ecs/api',
          logStream: 'api/1',
          subscriptionFilters: ['logferry'],
          logEvents: [
            { id: '1', timestamp: Date.UTC(2025, 10, 20, 10), message: jsonError('boom 1') },
          ],
        }),
        { seq: sequenceNumber(2) },
      ),
    ]);
    // Act
    const groups = groupMatches(routed, rules);
    const links = linksOf(renderAlertMessage(groups, { region: 'us-east-1', dashboardsUrl }));
    // Assess
    expect(groups[0]?.kinesisStream).toBeUndefined();
    expect(links.get('CloudWatch Logs')).toContain('log-group/$252Fecs$252Fapi');
  });

  it('no Dashboards URL: no Discover link', () => {
    const routed = routedOf([jsonError('boom')]);
    const links = linksOf(renderAlertMessage(groupMatches(routed, rules), { region: 'eu-west-1' }));
    expect([...links.keys()]).toEqual(['CloudWatch Logs']);
  });
});
