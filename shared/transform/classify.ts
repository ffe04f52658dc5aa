// Classifies a document into its log type, and names the daily index it goes to.
import type { Config, Route } from '#shared/config/schema.ts';
import type { Dataset, Level, LogType } from '#shared/model.ts';

const ACCESS: ReadonlySet<Dataset> = new Set([
  'nginx.access',
  'apache.access',
  'haproxy.http',
  'haproxy.tcp',
  'aws.elb',
  'aws.cloudfront',
  'aws.s3access',
  'aws.vpcflow',
  'aws.waf',
]);
const SERVER_ERROR: ReadonlySet<Dataset> = new Set(['nginx.error', 'apache.error']);

/**
 * `log.type` (docs/architecture.md, "Document"): a route may set it; access formats are `access`,
 * web-server error logs and events at error/fatal are `error`, everything else is `application`.
 */
export function classify(dataset: Dataset, level: Level | undefined, route?: Route): LogType {
  if (route?.log_type) return route.log_type as LogType;
  if (ACCESS.has(dataset)) return 'access';
  if (SERVER_ERROR.has(dataset) || level === 'error' || level === 'fatal') return 'error';
  return 'application';
}

/**
 * The name last built, for the prefix, type and day it was built from: a batch's documents go to a
 * handful of indices in runs, and the same string object for all of them is one allocation, and
 * one hash for every Map keyed by it (the bulk action heads, the sink's per-index grouping).
 */
let last = { prefix: '', logType: '', day: '', name: '' };

/**
 * `<prefix>-<log.type>-YYYY.MM.DD` from the document time in UTC.
 *
 * @example
 * indexName('logs', 'access', '2024-01-15T10:00:00.000Z') // 'logs-access-2024.01.15'
 */
export function indexName(prefix: string, logType: LogType, isoTime: string): string {
  if (
    last.day.length === 10 &&
    prefix === last.prefix &&
    logType === last.logType &&
    isoTime.startsWith(last.day)
  )
    return last.name;
  const name = `${prefix}-${logType}-${isoTime.slice(0, 4)}.${isoTime.slice(5, 7)}.${isoTime.slice(8, 10)}`;
  last = { prefix, logType, day: isoTime.slice(0, 10), name };
  return name;
}

export function indexPrefix(config: Config, route?: Route): string {
  return route?.index_prefix ?? config.index.prefix;
}
