// What the shipped dashboards show: their charts, saved searches and panel order, as data. Pure.
import { ACCESS_DASHBOARD } from './dashboard-access.ts';
import { count, type DashboardSpec, LOG_GROUP, STREAM, time } from './panel-types.ts';

export type { DashboardSpec, Panel, Scope } from './panel-types.ts';

export const DASHBOARDS: readonly DashboardSpec[] = [
  ACCESS_DASHBOARD,
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
