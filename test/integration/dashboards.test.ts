// The shipped Dashboards objects against the real local OpenSearch, after replaying the sample events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupMatches } from '#shared/alerts/group.ts';
import { fingerprintQuery } from '#shared/alerts/links.ts';
import { compileAlertRules } from '#shared/alerts/rules.ts';
import { createOpenSearchClient } from '#shared/clients/opensearch.ts';
import { parseConfig } from '#shared/config/file.ts';
import { loadConfig } from '#shared/config/yaml.ts';
import { dashboardObjects } from '#shared/ops/dashboards/generate.ts';
import type { SavedObject } from '#shared/ops/dashboards/saved-objects.ts';
import { aggFieldProblem, type MappedField } from '#shared/ops/template-fields.ts';
import { jsonError, routedOf } from '#test/helpers/alerts.ts';
import { replay, replayTarget } from '#test/helpers/replay.ts';
import { leafBuckets, metricValue, visSearch } from '#test/helpers/vis-query.ts';

const target = replayTarget('dash');
const opensearch = createOpenSearchClient({ url: target.env.OPENSEARCH_URL! });
let objects: SavedObject[] = [];
let byId = new Map<string, SavedObject>();

beforeAll(async () => {
  const summary = await replay(target, ['events/']);
  expect(summary.indexed).toBeGreaterThan(50);
  expect(summary.alerts).toBeGreaterThan(0);
  await opensearch.indices.refresh({ index: `${target.prefix}-*,${target.stateIndex}` });
  objects = dashboardObjects(loadConfig(target.configFile));
  byId = new Map(objects.map((o) => [o.id, o]));
}, 180_000);

afterAll(async () => {
  await opensearch.indices.delete(
    { index: `${target.prefix}-*,${target.stateIndex}`, ignore_unavailable: true } as never,
    { ignore: [404] },
  );
  await opensearch.indices.deleteIndexTemplate(
    { name: `logferry-${target.prefix}` },
    { ignore: [404] },
  );
});

const visualizations = () => objects.filter((o) => o.type === 'visualization');
const visState = (o: SavedObject) =>
  JSON.parse(o.attributes.visState as string) as {
    type: string;
    params: { index_pattern?: string; time_field?: string };
    aggs: { type: string; params: { field?: string } }[];
  };

function patternOf(vis: SavedObject): SavedObject {
  const state = visState(vis);
  if (state.type === 'metrics')
    return objects.find((o) => o.attributes.title === state.params.index_pattern)!;
  return byId.get(vis.references[0]!.id)!;
}

/** Field types in the live mapping of every index the pattern matches. */
async function liveTypes(index: string, field: string): Promise<string[]> {
  const { body } = await opensearch.indices.getFieldMapping({ index, fields: field } as never);
  const types = new Set<string>();
  for (const idx of Object.values(body as Record<string, { mappings: Record<string, unknown> }>)) {
    const m = idx.mappings[field] as { mapping?: Record<string, { type?: string }> } | undefined;
    const leaf = field.split('.').at(-1)!;
    const type = m?.mapping?.[leaf]?.type;
    if (type) types.add(type);
  }
  return [...types];
}

describe('Dashboards objects against the replayed sample events', () => {
  it('every aggregated field is in the live mapping with a type its aggregation accepts', async () => {
    let checked = 0;
    for (const vis of visualizations()) {
      const state = visState(vis);
      const pattern = patternOf(vis);
      const index = String(pattern.attributes.title);
      const aggs =
        state.type === 'metrics'
          ? [{ type: 'date_histogram', params: { field: state.params.time_field } }]
          : state.aggs.filter((a) => a.params.field);
      for (const a of aggs) {
        const path = a.params.field!;
        const types = await liveTypes(index, path);
        expect([vis.id, path, types.length > 0]).toEqual([vis.id, path, true]);
        for (const type of types) {
          const live: MappedField = { path, type, searchable: true, aggregatable: true };
          const agg = a.type === 'top_hit' ? 'top_hits' : a.type;
          expect([vis.id, path, aggFieldProblem(agg, live)]).toEqual([vis.id, path, undefined]);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it("each visualization's query, rebuilt from its visState, returns non-empty buckets", async () => {
    const empty: string[] = [];
    for (const vis of visualizations()) {
      // Prepare
      const search = visSearch(vis, patternOf(vis));
      // Act
      const { body } = await opensearch.search({ index: search.index, body: search.body as never });
      // Assess
      const leaves = leafBuckets(body.aggregations as Record<string, unknown>, search.buckets);
      const full = leaves.filter((b) => b.doc_count > 0);
      if (full.length === 0) empty.push(`${vis.id}: no bucket with documents`);
      for (const m of search.metrics)
        if (!full.some((b) => metricValue(b, m) !== undefined))
          empty.push(`${vis.id}: metric ${m.type} has no value in any bucket`);
      if (visState(vis).type === 'metrics') {
        const ratio = full.some((b) => (b.numerator as { doc_count: number }).doc_count > 0);
        if (!ratio) empty.push(`${vis.id}: no bucket with a 5xx`);
      }
    }
    expect(empty).toEqual([]);
  });

  it('each saved search finds documents', async () => {
    for (const search of objects.filter((o) => o.type === 'search')) {
      const pattern = byId.get(search.references[0]!.id)!;
      const source = JSON.parse(
        (search.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string }).searchSourceJSON,
      );
      const q = source.query.query as string;
      const { body } = await opensearch.count({
        index: String(pattern.attributes.title),
        body: { query: q ? { query_string: { query: q } } : { match_all: {} } },
      } as never);
      expect([search.id, body.count > 0]).toEqual([search.id, true]);
    }
  });

  it('the pipeline tags panel sees the sample _parse_failure and _redacted documents', async () => {
    const vis = byId.get(`logferry-${target.prefix}-vis-pipeline-tags`)!;
    const search = visSearch(vis, patternOf(vis));
    const { body } = await opensearch.search({ index: search.index, body: search.body as never });
    const buckets = (
      body.aggregations as Record<string, { buckets: Record<string, { doc_count: number }> }>
    )[search.buckets[0]!]!.buckets;
    expect(buckets._parse_failure?.doc_count).toBeGreaterThan(0);
    expect(buckets._redacted?.doc_count).toBeGreaterThan(0);
  });
});

describe('the alert Discover query on the real index', () => {
  it('finds its event when log group and message hold quotes, spaces and slashes', async () => {
    // Prepare: index one event whose names need every escape.
    const config = parseConfig({ version: 1, index: { prefix: target.prefix } });
    const routed = routedOf([jsonError('payment "gw/eu 1" refused: C:\\temp\\x for order 42')], {
      group: '/ecs/pay "blue"/api v2',
      stream: 'web/1',
      seed: 'escape',
      config,
    });
    const doc = routed[0]!;
    await opensearch.index({
      index: doc.index,
      id: doc.doc.event.id,
      body: doc.doc,
      refresh: true,
    });
    const rules = compileAlertRules(
      parseConfig({ version: 1, alerts: { rules: [{ name: 'e' }] } }).alerts,
    );
    const g = groupMatches(routed, rules)[0]!;
    // Act
    const query = fingerprintQuery({
      logGroup: g.logGroup,
      errorType: g.errorType,
      normalized: g.normalized,
    });
    const { body } = await opensearch.search({
      index: `${target.prefix}-*`,
      body: { query: { query_string: { query } } },
    });
    // Assess
    expect(query).toContain('aws.cloudwatch.log_group:"/ecs/pay \\"blue\\"/api v2"');
    expect(body.hits.hits.map((h) => h._id)).toEqual([doc.doc.event.id]);
  });
});
