// Chooses the route for an event's source (first match wins) and classifies documents into log types and indices.
import type { Config, Route } from '#shared/config/schema.ts';
import type { Dataset, EventSource, Level, LogType } from '#shared/model.ts';
import { matchGlob } from './glob.ts';

/** The route that claims a source, or undefined: unclaimed events are auto-detected and counted. */
export function selectRoute(routes: readonly Route[], source: EventSource): Route | undefined {
  for (const route of routes) {
    const { log_group, log_stream } = route.match;
    if (log_group && !matchGlob(log_group, source.logGroup ?? '')) continue;
    if (log_stream && !matchGlob(log_stream, source.logStream ?? '')) continue;
    return route;
  }
  return undefined;
}

const ACCESS: ReadonlySet<Dataset> = new Set([
  'nginx.access',
  'apache.access',
  'haproxy.http',
  'haproxy.tcp',
]);
const SERVER_ERROR: ReadonlySet<Dataset> = new Set(['nginx.error', 'apache.error']);

/**
 * `log.type` per DESIGN.md §3: a route may set it; access formats are `access`, web-server error logs
 * and events at error/fatal are `error`, everything else is `application`.
 */
export function classify(dataset: Dataset, level: Level | undefined, route?: Route): LogType {
  if (route?.log_type) return route.log_type as LogType;
  if (ACCESS.has(dataset)) return 'access';
  if (SERVER_ERROR.has(dataset) || level === 'error' || level === 'fatal') return 'error';
  return 'application';
}

/** `<prefix>-<log.type>-YYYY.MM.DD` from the document time in UTC. */
export function indexName(prefix: string, logType: LogType, isoTime: string): string {
  return `${prefix}-${logType}-${isoTime.slice(0, 4)}.${isoTime.slice(5, 7)}.${isoTime.slice(8, 10)}`;
}

export function indexPrefix(config: Config, route?: Route): string {
  return route?.index_prefix ?? config.index.prefix;
}
