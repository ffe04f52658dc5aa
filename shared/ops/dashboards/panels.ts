// What the shipped dashboards show: their charts, saved searches and panel order, as data. Pure.
import type { PatternScope } from './ids.ts';
import type { Chart } from './vis-state.ts';

/** Where a panel's data comes from: a log index pattern of the prefix, or the alert-state index. */
export type Scope = PatternScope | 'alerts';

interface PanelBase {
  /** Id suffix; stable, since an import overwrites by id. */
  name: string;
  title: string;
  description: string;
  scope: Scope;
  /** Width in the 48-column grid; 24 unless said. */
  w?: number;
}

export type ChartPanel = PanelBase & Chart & { kind: 'chart' };
/** A TSVB time series of the share of documents matching `numerator`. */
export type RatioPanel = PanelBase & { kind: 'ratio'; numerator: string; label: string };
export type SearchPanel = PanelBase & { kind: 'search'; columns: string[]; query: string };
export type Panel = ChartPanel | RatioPanel | SearchPanel;

export interface DashboardSpec {
  name: string;
  title: string;
  description: string;
  panels: Panel[];
}

/**
 * Where a document came from: CloudWatch Logs data has a log group, other Kinesis data (FireLens, KPL,
 * text) only a stream. Charts split on both, each with a bucket for documents that lack it (a
 * scripted field could merge them, but not every cluster has Painless).
 */
const LOG_GROUP = {
  type: 'terms',
  field: 'aws.cloudwatch.log_group',
  label: 'Log group',
  missing: '(Kinesis data)',
} as const;
const STREAM = {
  type: 'terms',
  field: 'aws.kinesis.stream',
  label: 'Kinesis stream',
  missing: '(CloudWatch Logs)',
} as const;

const statusClasses = [1, 2, 3, 4, 5].map((c) => ({ from: c * 100, to: c * 100 + 100 }));
const time = { type: 'date_histogram' } as const;
const count = { type: 'count' } as const;

export const DASHBOARDS: readonly DashboardSpec[] = [
  {
    name: 'access',
    title: 'Access',
    description:
      'Web and load-balancer access logs: traffic, errors, latency, top URLs and clients.',
    panels: [
      {
        kind: 'chart',
        name: 'access-requests-by-status',
        title: 'Requests over time by status class',
        description: 'Requests per interval, stacked by HTTP status class (1xx to 5xx).',
        scope: 'access',
        chart: 'histogram',
        metrics: [count],
        buckets: [
          time,
          {
            type: 'range',
            field: 'http.response.status_code',
            ranges: statusClasses,
            label: 'Status',
          },
        ],
      },
      {
        kind: 'ratio',
        name: 'access-5xx-rate',
        title: '5xx rate',
        description: 'Share of requests answered with a 5xx status.',
        scope: 'access',
        numerator: 'http.response.status_code:[500 TO 599]',
        label: '5xx / all requests',
      },
      {
        kind: 'chart',
        name: 'access-latency',
        title: 'Latency p50 / p95 / p99',
        description:
          'Percentiles of event.duration (request time, nanoseconds shown as milliseconds).',
        scope: 'access',
        chart: 'line',
        metrics: [
          {
            type: 'percentiles',
            field: 'event.duration',
            percents: [50, 95, 99],
            label: 'Latency',
          },
        ],
        buckets: [time],
      },
      {
        kind: 'chart',
        name: 'access-bytes',
        title: 'Response bytes',
        description: 'Bytes sent in response bodies per interval.',
        scope: 'access',
        chart: 'area',
        metrics: [{ type: 'sum', field: 'http.response.body.bytes', label: 'Bytes' }],
        buckets: [time],
      },
      {
        kind: 'chart',
        name: 'access-top-urls',
        title: 'Top URLs',
        description: 'Most requested URLs, with their bytes.',
        scope: 'access',
        chart: 'table',
        metrics: [count, { type: 'sum', field: 'http.response.body.bytes', label: 'Bytes' }],
        buckets: [{ type: 'terms', field: 'url.original', size: 20, label: 'URL' }],
      },
      {
        kind: 'chart',
        name: 'access-top-clients',
        title: 'Top clients',
        description: 'Client addresses with the most requests.',
        scope: 'access',
        chart: 'table',
        metrics: [count, { type: 'sum', field: 'http.response.body.bytes', label: 'Bytes' }],
        buckets: [{ type: 'terms', field: 'source.ip', size: 20, label: 'Client' }],
      },
      {
        kind: 'chart',
        name: 'access-user-agents',
        title: 'User agents',
        description: 'Most frequent user agents.',
        scope: 'access',
        chart: 'pie',
        metrics: [count],
        buckets: [
          {
            type: 'terms',
            field: 'user_agent.original.keyword',
            size: 10,
            label: 'User agent',
          },
        ],
      },
      {
        kind: 'chart',
        name: 'access-top-sources',
        title: 'Top log groups',
        description: 'Requests per log group, and per Kinesis stream for Kinesis data.',
        scope: 'access',
        chart: 'table',
        metrics: [count],
        buckets: [
          { ...LOG_GROUP, size: 20 },
          { ...STREAM, size: 5 },
        ],
      },
      {
        kind: 'search',
        name: 'access-requests',
        title: 'Access log',
        description: 'Latest requests.',
        scope: 'access',
        w: 48,
        columns: [
          'http.request.method',
          'url.original',
          'http.response.status_code',
          'event.duration',
          'source.ip',
          'aws.cloudwatch.log_group',
        ],
        query: '',
      },
    ],
  },
  {
    name: 'errors',
    title: 'Errors',
    description:
      'Error logs and error-level events: where they come from, what they are, their stacks.',
    panels: [
      {
        kind: 'chart',
        name: 'errors-over-time',
        title: 'Errors over time by log group',
        description:
          'Error events per interval, stacked by log group (Kinesis data in one bucket).',
        scope: 'error',
        chart: 'histogram',
        metrics: [count],
        buckets: [time, { ...LOG_GROUP, size: 10 }],
      },
      {
        kind: 'chart',
        name: 'errors-by-stream',
        title: 'Errors by Kinesis stream',
        description: 'Error events of Kinesis data (FireLens, KPL, text) per stream.',
        scope: 'error',
        chart: 'table',
        query: '_exists_:aws.kinesis.stream',
        metrics: [count],
        buckets: [
          { type: 'terms', field: 'aws.kinesis.stream', size: 20, label: 'Kinesis stream' },
        ],
      },
      {
        kind: 'chart',
        name: 'errors-top-types',
        title: 'Top error types',
        description: 'Most frequent error.type values.',
        scope: 'error',
        chart: 'table',
        metrics: [count],
        buckets: [{ type: 'terms', field: 'error.type', size: 20, label: 'Error type' }],
      },
      {
        kind: 'chart',
        name: 'errors-top-fingerprints',
        title: 'Top fingerprints (alerts sent)',
        description:
          'Alert fingerprints by matching events, from the alert-state index, with their latest message.',
        scope: 'alerts',
        chart: 'table',
        query: 'kind:alert',
        metrics: [
          { type: 'sum', field: 'count', label: 'Events' },
          { type: 'top_hit', field: 'message', label: 'Latest message' },
        ],
        buckets: [{ type: 'terms', field: 'fingerprint', size: 20, label: 'Fingerprint' }],
      },
      {
        kind: 'search',
        name: 'errors-stack-traces',
        title: 'Latest stack traces',
        description: 'Newest events that carry a stack trace.',
        scope: 'all',
        w: 48,
        columns: [
          'error.type',
          'error.stack_trace',
          'aws.cloudwatch.log_group',
          'aws.kinesis.stream',
        ],
        query: '_exists_:error.stack_trace',
      },
    ],
  },
  {
    name: 'application',
    title: 'Application',
    description: 'Application logs: levels over time and the loggers that write the most.',
    panels: [
      {
        kind: 'chart',
        name: 'application-levels',
        title: 'Levels over time',
        description: 'Application events per interval, stacked by log.level.',
        scope: 'application',
        w: 48,
        chart: 'histogram',
        metrics: [count],
        buckets: [time, { type: 'terms', field: 'log.level', size: 6, label: 'Level' }],
      },
      {
        kind: 'chart',
        name: 'application-top-loggers',
        title: 'Top loggers',
        description: 'Loggers (log.logger) with the most events.',
        scope: 'application',
        chart: 'table',
        metrics: [count],
        buckets: [{ type: 'terms', field: 'log.logger', size: 20, label: 'Logger' }],
      },
      {
        kind: 'search',
        name: 'application-events',
        title: 'Application log',
        description: 'Latest application events.',
        scope: 'application',
        columns: ['log.level', 'log.logger', 'message', 'aws.cloudwatch.log_group'],
        query: '',
      },
    ],
  },
  {
    name: 'pipeline',
    title: 'Pipeline',
    description:
      'What logferry indexed: documents per log group, log type and parser, and the tags it set.',
    panels: [
      {
        kind: 'chart',
        name: 'pipeline-documents-by-type',
        title: 'Documents over time by log type',
        description: 'Documents indexed per interval, stacked by log.type.',
        scope: 'all',
        w: 48,
        chart: 'histogram',
        metrics: [count],
        buckets: [time, { type: 'terms', field: 'log.type', size: 3, label: 'Log type' }],
      },
      {
        kind: 'chart',
        name: 'pipeline-tags',
        title: 'Parse failures, truncated, redacted, degraded',
        description: 'Documents tagged _parse_failure, _truncated, _redacted or _mapping_degraded.',
        scope: 'all',
        chart: 'metric',
        metrics: [count],
        buckets: [
          {
            type: 'filters',
            filters: ['_parse_failure', '_truncated', '_redacted', '_mapping_degraded'].map(
              (tag) => ({ query: `tags:${tag}`, label: tag }),
            ),
          },
        ],
      },
      {
        kind: 'chart',
        name: 'pipeline-documents-by-source',
        title: 'Documents per log group',
        description: 'Documents per log group, and per Kinesis stream for Kinesis data.',
        scope: 'all',
        chart: 'table',
        metrics: [count],
        buckets: [
          { ...LOG_GROUP, size: 50 },
          { ...STREAM, size: 10 },
        ],
      },
      {
        kind: 'chart',
        name: 'pipeline-datasets',
        title: 'Documents by parser',
        description: 'Which parser (event.dataset) matched.',
        scope: 'all',
        chart: 'pie',
        metrics: [count],
        buckets: [{ type: 'terms', field: 'event.dataset', size: 20, label: 'Parser' }],
      },
      {
        kind: 'search',
        name: 'pipeline-tagged',
        title: 'Tagged documents',
        description: 'Documents logferry tagged, with the reason when there is one.',
        scope: 'all',
        columns: ['tags', 'event.dataset', 'event.reason', 'aws.cloudwatch.log_group', 'message'],
        query: 'tags:(_parse_failure OR _truncated OR _redacted OR _mapping_degraded)',
      },
    ],
  },
];
