// Chooses the route for an event's source: the first route whose globs match claims it.
import type { Route } from '#shared/config/schema.ts';
import { matchGlob } from '#shared/glob.ts';
import type { EventSource } from '#shared/model.ts';

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
