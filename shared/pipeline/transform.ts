// The pure part of the pipeline: input events to routed documents (route, parse, build), no I/O.
import type { Config } from '#shared/config/schema.ts';
import type { Dataset, InputEvent, Routed } from '#shared/model.ts';
import { parseLine } from '#shared/parse/index.ts';
import { selectRoute } from '#shared/route/route.ts';
import { buildDocument, stripEol } from './document.ts';

export interface TransformStats {
  /** Events no route claimed (auto-detected), by log group. */
  unmatched: number;
}

/**
 * Parses and routes a batch in input order.
 *
 * @example
 * const { routed } = transformEvents(events, config);
 */
export function transformEvents(events: readonly InputEvent[], config: Config): { routed: Routed[]; stats: TransformStats } {
  const routed: Routed[] = [];
  const stats: TransformStats = { unmatched: 0 };
  for (const event of events) {
    const route = selectRoute(config.routes, event.source);
    if (!route) stats.unmatched++;
    const ctx = { eventTime: event.timestamp, timeZone: route?.timezone, source: event.source };
    const parsed = parseLine(stripEol(event.message), ctx, route?.parser as Dataset | undefined);
    routed.push(buildDocument(event, parsed, config, route));
  }
  return { routed, stats };
}
