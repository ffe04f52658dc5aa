// Ids of the OpenSearch Dashboards objects logferry ships: all start `logferry-`, so an import overwrites only its own.
import type { LogType } from '#shared/model.ts';

/** What an index pattern covers: one log type of a prefix, or all of them (`<prefix>-*`). */
export type PatternScope = LogType | 'all';

/** Every object id starts with this; an import with overwrite replaces these and nothing else. */
export const OBJECT_ID_PREFIX = 'logferry-';

/**
 * `logferry-<prefix>-<kind>-<name>`: a prefix's objects never collide with another prefix's.
 *
 * @example
 * objectId('logs', 'vis', 'access-top-urls') // 'logferry-logs-vis-access-top-urls'
 */
export function objectId(prefix: string, kind: string, name: string): string {
  return `${OBJECT_ID_PREFIX}${prefix}-${kind}-${name}`;
}

/**
 * Id of the index pattern of `<prefix>-<type>-*` (or `<prefix>-*`), which alert links open Discover on.
 *
 * @example
 * indexPatternId('logs', 'error') // 'logferry-logs-index-pattern-error'
 */
export function indexPatternId(prefix: string, scope: PatternScope): string {
  return objectId(prefix, 'index-pattern', scope);
}

/** Index pattern title of a scope: `logs-error-*`, or `logs-*` for all. */
export function indexPatternTitle(prefix: string, scope: PatternScope): string {
  return scope === 'all' ? `${prefix}-*` : `${prefix}-${scope}-*`;
}
