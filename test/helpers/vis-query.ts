// Rebuilds the OpenSearch search a Dashboards visualization sends, from its visState and search source, to run it for real.
import type { SavedObject } from '#shared/ops/dashboards/saved-objects.ts';

interface Agg {
  id: string;
  type: string;
  schema: string;
  params: Record<string, unknown>;
}

interface VisState {
  type: string;
  aggs: Agg[];
  params: Record<string, unknown>;
}

export interface VisSearch {
  /** The index pattern's title: what the search goes to. */
  index: string;
  body: Record<string, unknown>;
  /** Ids of the bucket aggregations from outermost to innermost, and of the metrics under the last. */
  buckets: string[];
  metrics: Agg[];
}

const attr = (o: SavedObject, key: string) => JSON.parse(o.attributes[key] as string);

/** The scripted fields an index pattern declares, by name. */
function scriptedFields(pattern: SavedObject): Map<string, string> {
  const fields = attr(pattern, 'fields') as { name: string; scripted: boolean; script?: string }[];
  return new Map(fields.filter((f) => f.scripted).map((f) => [f.name, f.script ?? '']));
}

function luceneQuery(query: string): Record<string, unknown> {
  return query.trim() === ''
    ? { match_all: {} }
    : { query_string: { query, analyze_wildcard: true } };
}

function fieldOrScript(field: string, scripted: Map<string, string>): Record<string, unknown> {
  const source = scripted.get(field);
  return source === undefined ? { field } : { script: { source, lang: 'painless' } };
}

function metricBody(a: Agg, scripted: Map<string, string>): Record<string, unknown> | undefined {
  const p = a.params;
  const field = String(p.field ?? '');
  switch (a.type) {
    case 'count':
      return undefined;
    case 'percentiles':
      return { percentiles: { ...fieldOrScript(field, scripted), percents: p.percents } };
    case 'top_hit':
      return {
        top_hits: {
          size: p.size ?? 1,
          sort: [{ [String(p.sortField)]: { order: p.sortOrder ?? 'desc' } }],
          _source: { includes: [field] },
        },
      };
    default:
      return { [a.type]: fieldOrScript(field, scripted) };
  }
}

function bucketBody(
  a: Agg,
  scripted: Map<string, string>,
  metrics: Agg[],
): Record<string, unknown> {
  const p = a.params;
  switch (a.type) {
    case 'date_histogram':
      return { date_histogram: { field: p.field, fixed_interval: '1m', min_doc_count: 1 } };
    case 'terms': {
      // The editor orders terms by a metric id; a count is the bucket's own doc count.
      const by = metrics.find((m) => m.id === p.orderBy);
      const order = !by || by.type === 'count' ? { _count: p.order } : { [by.id]: p.order };
      return {
        terms: {
          ...fieldOrScript(String(p.field), scripted),
          size: p.size,
          order,
          ...(p.missingBucket ? { missing: '__missing__' } : {}),
        },
      };
    }
    case 'range':
      return { range: { field: p.field, ranges: p.ranges, keyed: false } };
    case 'filters': {
      const filters = p.filters as { input: { query: string }; label: string }[];
      return {
        filters: {
          filters: Object.fromEntries(filters.map((f) => [f.label, luceneQuery(f.input.query)])),
        },
      };
    }
    default:
      throw new Error(`vis-query: bucket aggregation ${a.type} not rebuilt`);
  }
}

/**
 * The search a visualization runs: its query and filters, bucket aggregations nested in order, its
 * metrics under the innermost bucket. TSVB's filter ratio becomes a date histogram of two filters.
 *
 * @example
 * const { index, body } = visSearch(vis, pattern);
 * const { body: res } = await client.search({ index, body });
 */
export function visSearch(vis: SavedObject, pattern: SavedObject): VisSearch {
  const state = attr(vis, 'visState') as VisState;
  if (state.type === 'metrics') {
    const series = (state.params.series as { metrics: Record<string, { query: string }>[] }[])[0]!;
    const ratio = series.metrics[0]!;
    const time = {
      date_histogram: { field: state.params.time_field, fixed_interval: '1m', min_doc_count: 1 },
      aggs: {
        numerator: { filter: luceneQuery(ratio.numerator!.query) },
        denominator: { filter: luceneQuery(ratio.denominator!.query) },
      },
    };
    return {
      index: String(state.params.index_pattern),
      body: { size: 0, query: { match_all: {} }, aggs: { time } },
      buckets: ['time'],
      metrics: [],
    };
  }
  const scripted = scriptedFields(pattern);
  const source = JSON.parse(
    (vis.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string }).searchSourceJSON,
  ) as { query: { query: string } };
  const metrics = state.aggs.filter((a) => a.schema === 'metric');
  const buckets = state.aggs.filter((a) => a.schema !== 'metric');
  let inner: Record<string, unknown> = {};
  for (const m of metrics) {
    const body = metricBody(m, scripted);
    if (body) inner[m.id] = body;
  }
  for (const b of [...buckets].reverse()) {
    const body = bucketBody(b, scripted, metrics);
    inner = { [b.id]: Object.keys(inner).length ? { ...body, aggs: inner } : body };
  }
  return {
    index: String(pattern.attributes.title),
    body: { size: 0, query: luceneQuery(source.query.query), aggs: inner },
    buckets: buckets.map((b) => b.id),
    metrics,
  };
}

type Buckets = { doc_count: number; [key: string]: unknown }[];

function bucketList(node: unknown): Buckets {
  const b = (node as { buckets?: Buckets | Record<string, Buckets[number]> }).buckets;
  if (!b) return [];
  return Array.isArray(b) ? b : Object.values(b);
}

/** The innermost buckets of a response, across every outer bucket. */
export function leafBuckets(
  aggregations: Record<string, unknown>,
  ids: readonly string[],
): Buckets {
  let level: Buckets = [{ doc_count: 1, ...aggregations }];
  for (const id of ids) level = level.flatMap((b) => bucketList(b[id]));
  return level;
}

/** Whether a metric has a value in a bucket: a number, percentiles with numbers, or a top hit. */
export function metricValue(bucket: Buckets[number], m: { id: string; type: string }): unknown {
  if (m.type === 'count') return bucket.doc_count;
  const v = bucket[m.id] as
    | { value?: number | null; values?: Record<string, number | null>; hits?: { hits: unknown[] } }
    | undefined;
  if (!v) return undefined;
  if (m.type === 'percentiles') {
    const values = Object.values(v.values ?? {});
    return values.length && values.every((x) => typeof x === 'number') ? values : undefined;
  }
  if (m.type === 'top_hit') return v.hits?.hits.length ? v.hits.hits : undefined;
  return typeof v.value === 'number' ? v.value : undefined;
}
