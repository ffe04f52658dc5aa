// The shape of a dashboard definition, and the aggregations several dashboards share. Pure.
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
export const LOG_GROUP = {
  type: 'terms',
  field: 'aws.cloudwatch.log_group',
  label: 'Log group',
  missing: '(Kinesis data)',
} as const;
export const STREAM = {
  type: 'terms',
  field: 'aws.kinesis.stream',
  label: 'Kinesis stream',
  missing: '(CloudWatch Logs)',
} as const;

export const statusClasses = [1, 2, 3, 4, 5].map((c) => ({ from: c * 100, to: c * 100 + 100 }));
export const time = { type: 'date_histogram' } as const;
export const count = { type: 'count' } as const;
