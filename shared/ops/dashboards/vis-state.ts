// Turns a short chart description into the visState the Dashboards editor would save for it. Pure.
import type { VisAgg } from './saved-objects.ts';

export type Metric =
  | { type: 'count'; label?: string }
  | { type: 'sum' | 'avg' | 'max' | 'cardinality'; field: string; label?: string }
  | { type: 'percentiles'; field: string; percents: number[]; label?: string }
  /** The latest value of a field (from `_source`), e.g. the message of a fingerprint. */
  | { type: 'top_hit'; field: string; label?: string };

export type Bucket =
  | { type: 'date_histogram' }
  | { type: 'terms'; field: string; size: number; label?: string; missing?: string }
  | { type: 'range'; field: string; ranges: { from: number; to: number }[]; label?: string }
  | { type: 'filters'; filters: { query: string; label: string }[] };

export type ChartType = 'histogram' | 'line' | 'area' | 'table' | 'pie' | 'metric';

export interface Chart {
  chart: ChartType;
  metrics: Metric[];
  buckets: Bucket[];
  /** Lucene query the chart is limited to. */
  query?: string;
}

const TIME_FIELD = '@timestamp';

function metricAgg(m: Metric, id: string): VisAgg {
  const label = m.label ? { customLabel: m.label } : {};
  const base = { id, enabled: true as const, type: m.type, schema: 'metric' };
  switch (m.type) {
    case 'count':
      return { ...base, params: { ...label } };
    case 'percentiles':
      return { ...base, params: { field: m.field, percents: m.percents, ...label } };
    case 'top_hit':
      return {
        ...base,
        params: {
          field: m.field,
          aggregate: 'concat',
          size: 1,
          sortField: TIME_FIELD,
          sortOrder: 'desc',
          ...label,
        },
      };
    default:
      return { ...base, params: { field: m.field, ...label } };
  }
}

function bucketSchema(chart: ChartType, b: Bucket): string {
  if (chart === 'table') return 'bucket';
  if (chart === 'pie') return 'segment';
  if (chart === 'metric') return 'group';
  return b.type === 'date_histogram' ? 'segment' : 'group';
}

function bucketParams(b: Bucket, orderBy: string): Record<string, unknown> {
  switch (b.type) {
    case 'date_histogram':
      return {
        field: TIME_FIELD,
        timeRange: { from: 'now-24h', to: 'now' },
        useNormalizedOpenSearchInterval: true,
        scaleMetricValues: false,
        interval: 'auto',
        drop_partials: false,
        min_doc_count: 1,
        extended_bounds: {},
      };
    case 'terms':
      return {
        field: b.field,
        orderBy,
        order: 'desc',
        size: b.size,
        otherBucket: false,
        otherBucketLabel: 'Other',
        missingBucket: b.missing !== undefined,
        missingBucketLabel: b.missing ?? 'Missing',
        ...(b.label ? { customLabel: b.label } : {}),
      };
    case 'range':
      return { field: b.field, ranges: b.ranges, ...(b.label ? { customLabel: b.label } : {}) };
    case 'filters':
      return {
        filters: b.filters.map((f) => ({
          input: { query: f.query, language: 'lucene' },
          label: f.label,
        })),
      };
  }
}

function metricLabel(m: Metric): string {
  if (m.label) return m.label;
  return m.type === 'count' ? 'Count' : `${m.type} of ${m.field}`;
}

function pointSeriesParams(chart: 'histogram' | 'line' | 'area', c: Chart, aggs: VisAgg[]) {
  const stacked = chart !== 'line' && c.buckets.length > 1;
  const first = c.metrics[0];
  return {
    type: chart,
    grid: { categoryLines: false },
    categoryAxes: [
      {
        id: 'CategoryAxis-1',
        type: 'category',
        position: 'bottom',
        show: true,
        style: {},
        scale: { type: 'linear' },
        labels: { show: true, filter: true, truncate: 100 },
        title: {},
      },
    ],
    valueAxes: [
      {
        id: 'ValueAxis-1',
        name: 'LeftAxis-1',
        type: 'value',
        position: 'left',
        show: true,
        style: {},
        scale: { type: 'linear', mode: 'normal' },
        labels: { show: true, rotate: 0, filter: false, truncate: 100 },
        title: { text: first ? metricLabel(first) : '' },
      },
    ],
    seriesParams: aggs
      .filter((a) => a.schema === 'metric')
      .map((a, i) => ({
        show: true,
        type: chart,
        mode: stacked ? 'stacked' : 'normal',
        data: { label: metricLabel(c.metrics[i]!), id: a.id },
        valueAxis: 'ValueAxis-1',
        drawLinesBetweenPoints: true,
        lineWidth: 2,
        showCircles: true,
        interpolate: 'linear',
      })),
    addTooltip: true,
    addLegend: true,
    legendPosition: 'right',
    times: [],
    addTimeMarker: false,
    labels: { show: false },
    thresholdLine: { show: false, value: 10, width: 1, style: 'full', color: '#E7664C' },
  };
}

function chartParams(c: Chart, aggs: VisAgg[]): Record<string, unknown> {
  switch (c.chart) {
    case 'table':
      return {
        perPage: 10,
        showPartialRows: false,
        showMetricsAtAllLevels: false,
        showTotal: false,
        totalFunc: 'sum',
        percentageCol: '',
      };
    case 'pie':
      return {
        type: 'pie',
        addTooltip: true,
        addLegend: true,
        legendPosition: 'right',
        isDonut: true,
        labels: { show: false, values: true, last_level: true, truncate: 100 },
      };
    case 'metric':
      return {
        addTooltip: true,
        addLegend: false,
        type: 'metric',
        metric: {
          percentageMode: false,
          useRanges: false,
          colorSchema: 'Green to Red',
          metricColorMode: 'None',
          colorsRange: [{ from: 0, to: 10000 }],
          labels: { show: true },
          invertColors: false,
          style: { bgFill: '#000', bgColor: false, labelColor: false, subText: '', fontSize: 36 },
        },
      };
    default:
      return pointSeriesParams(c.chart, c, aggs);
  }
}

/**
 * The visState `type`, `params` and `aggs` of a chart: metrics get ids 1…n, buckets follow in nesting
 * order; terms order by the first metric, so make it a count or a sum.
 *
 * @example
 * visStateOf({ chart: 'table', metrics: [{ type: 'count' }], buckets: [{ type: 'terms', field: 'url.original', size: 20 }] })
 */
export function visStateOf(c: Chart): {
  type: string;
  params: Record<string, unknown>;
  aggs: VisAgg[];
} {
  const metrics = c.metrics.map((m, i) => metricAgg(m, String(i + 1)));
  const buckets = c.buckets.map((b, i) => ({
    id: String(c.metrics.length + i + 1),
    enabled: true as const,
    type: b.type,
    schema: bucketSchema(c.chart, b),
    params: bucketParams(b, '1'),
  }));
  const aggs = [...metrics, ...buckets];
  return { type: c.chart, params: chartParams(c, aggs), aggs };
}

/**
 * TSVB params of a time series of a ratio: documents matching `numerator` over all documents, as a percentage.
 *
 * @example
 * ratioParams({ indexPattern: 'logs-access-*', numerator: 'http.response.status_code:[500 TO 599]', label: '5xx' })
 */
export function ratioParams(opts: {
  indexPattern: string;
  numerator: string;
  label: string;
}): Record<string, unknown> {
  return {
    id: 'logferry-ratio',
    type: 'timeseries',
    index_pattern: opts.indexPattern,
    time_field: TIME_FIELD,
    interval: '',
    axis_position: 'left',
    axis_formatter: 'number',
    axis_scale: 'normal',
    show_legend: 1,
    show_grid: 1,
    tooltip_mode: 'show_all',
    default_index_pattern: opts.indexPattern,
    default_timefield: TIME_FIELD,
    isModelInvalid: false,
    series: [
      {
        id: 'logferry-ratio-series',
        color: '#E7664C',
        split_mode: 'everything',
        metrics: [
          {
            id: 'logferry-ratio-metric',
            type: 'filter_ratio',
            numerator: { query: opts.numerator, language: 'lucene' },
            denominator: { query: '*', language: 'lucene' },
            metric_agg: 'count',
          },
        ],
        separate_axis: 0,
        axis_position: 'right',
        formatter: 'percent',
        chart_type: 'line',
        line_width: 2,
        point_size: 1,
        fill: 0.3,
        stacked: 'none',
        label: opts.label,
      },
    ],
  };
}
