// The pure part of the pipeline: input events to routed documents (unwrap, route, parse, merge stack traces, drop, redact, build), no I/O.

import { jsonDepthExceeds } from '#shared/bounded-json.ts';
import type { Config, Route } from '#shared/config/schema.ts';
import type { Enricher } from '#shared/enrich/enrich.ts';
import type { Dataset, EventSource, InputEvent, Level, ParsedLine, Routed } from '#shared/model.ts';
import type { DeclaredFormat } from '#shared/parse/format/compile.ts';
import { parseLine } from '#shared/parse/index.ts';
import { child, mergeFields } from '#shared/parse/merge.ts';
import type { ParseContext } from '#shared/parse/types.ts';
import { unwrap } from '#shared/parse/wrapper.ts';
import { dropReason } from '#shared/transform/drop.ts';
import {
  advanceStack,
  continuesStack,
  type StackState,
  splitStack,
  stackHeader,
} from '#shared/transform/multiline.ts';
import { selectRoute } from '#shared/transform/route.ts';
import { compile } from './compiled.ts';
import { buildDocument, isValidTime, stripEol } from './document.ts';
import { maskPemLines } from './pem-lines.ts';
import { redactRouted } from './redact-routed.ts';

export interface TransformStats {
  /** Events no route claimed (auto-detected). */
  unmatched: number;
  /** Events a drop rule removed, by rule name: not delivered, and not failures either. */
  dropped: Record<string, number>;
  /** Events merged into the event that opened their stack trace: they live on in that document. */
  merged: number;
  /** Documents in which something was redacted. */
  redacted: number;
}

/** An event after its envelope is off and its route is known. */
interface Prepared {
  event: InputEvent;
  route?: Route;
  /** The line to parse: the envelope's inner line, without its end of line. */
  line: string;
  source: EventSource;
  /** The envelope's time when it has one, else the transport's: the fallback and the date source. */
  time: number;
  /** Stack traces merge only within one stream of one delivery record. */
  key: string;
  /** JSON nested past `decode.max_json_depth`: the line stays text. */
  tooDeep?: number;
  /** Key material of a PEM block split over events, now the mask (pem-lines.ts). */
  masked?: boolean;
}

/** Events that become one document: an opener and the stack-trace lines that followed it. */
interface Group {
  items: Prepared[];
  parsed: ParsedLine;
  state: StackState;
  hasStack: boolean;
  /** Trace lines whose opener was in an earlier batch. */
  orphan: boolean;
}

function streamKey(event: InputEvent, source: EventSource, stream: string | undefined): string {
  const w = source.wrapper;
  const container = (w?.container as { id?: unknown } | undefined)?.id;
  const pod = (w?.kubernetes as { pod?: { uid?: unknown; name?: unknown } } | undefined)?.pod;
  return [
    event.recordId,
    source.logGroup,
    source.logStream,
    container,
    pod?.uid ?? pod?.name,
    stream,
  ].join('\u0000');
}

/**
 * Route and stream key of the last source seen: the events of a batch share a handful of source
 * objects (one per CloudWatch message or Kinesis user record), in runs.
 */
interface SourceMemo {
  source?: EventSource;
  recordId?: string;
  route?: Route;
  key?: string;
}

function prepare(event: InputEvent, config: Config, memo: SourceMemo): Prepared {
  if (memo.source !== event.source) {
    memo.source = event.source;
    memo.route = selectRoute(config.routes, event.source);
    memo.key = undefined;
  }
  const route = memo.route;
  const raw = stripEol(event.message);
  const depth = config.decode.max_json_depth;
  const tooDeep = jsonDepthExceeds(raw, depth);
  const unwrapped =
    !tooDeep && (raw.charCodeAt(0) === 0x7b || raw.charCodeAt(0) <= 0x39) ? unwrap(raw) : undefined;
  if (!unwrapped) {
    if (memo.key === undefined || memo.recordId !== event.recordId) {
      memo.recordId = event.recordId;
      memo.key = streamKey(event, event.source, undefined);
    }
    // Set afterwards rather than spread in: no empty object and no spread per event.
    const p: Prepared = {
      event,
      route,
      line: raw,
      source: event.source,
      time: event.timestamp,
      key: memo.key,
    };
    if (tooDeep) p.tooDeep = depth;
    return p;
  }
  const wrapper = event.source.wrapper
    ? mergeFields(mergeFields({}, event.source.wrapper), unwrapped.wrapper)
    : unwrapped.wrapper;
  const source: EventSource = { ...event.source, wrapper };
  const p: Prepared = {
    event,
    route,
    line: unwrapped.line,
    source,
    // An envelope time that is no real date leaves the transport's, which the document checks in turn.
    time: isValidTime(unwrapped.time) ? unwrapped.time : event.timestamp,
    key: streamKey(event, source, unwrapped.stream),
  };
  if (jsonDepthExceeds(unwrapped.line, depth)) p.tooDeep = depth;
  return p;
}

function parse(p: Prepared, formats: Map<string, DeclaredFormat>): ParsedLine {
  if (p.tooDeep !== undefined) {
    // Kept whole as text: fields from it would be walked by every later stage.
    const reason = `JSON nested deeper than ${p.tooDeep} levels (decode.max_json_depth)`;
    return {
      dataset: 'text',
      message: p.line,
      tags: ['_json_too_deep'],
      fields: { event: { reason } },
    };
  }
  const ctx: ParseContext = { eventTime: p.time, timeZone: p.route?.timezone, source: p.source };
  const name = p.route?.parser;
  return parseLine(p.line, ctx, name ? (formats.get(name) ?? (name as Dataset)) : p.source.dataset);
}

const ATTACHES = new Set<Level | undefined>(['warn', 'error', 'fatal']);

/**
 * Groups events into documents: a trace's lines join the event that opened it, per stream and record,
 * in input order. A header (`java.lang.X: …`, `Traceback …`) joins the previous event only when that
 * one was logged at warn or above and has no trace yet (`log.error("failed", e)`); otherwise it opens
 * its own document.
 */
function group(prepared: readonly Prepared[], formats: Map<string, DeclaredFormat>): Group[] {
  const next = new Array<number>(prepared.length).fill(-1);
  const lastSeen = new Map<string, number>();
  for (let i = prepared.length - 1; i >= 0; i--) {
    const key = prepared[i]!.key;
    next[i] = lastSeen.get(key) ?? -1;
    lastSeen.set(key, i);
  }
  const groups: Group[] = [];
  const open = new Map<string, Group>();
  prepared.forEach((p, i) => {
    const multiline = p.route?.multiline !== false;
    const current = multiline ? open.get(p.key) : undefined;
    if (current && continuesStack(p.line, current.state)) {
      current.items.push(p);
      current.state = advanceStack(current.state, p.line);
      current.hasStack = true;
      return;
    }
    const following = next[i]! >= 0 ? prepared[next[i]!]!.line : undefined;
    const lang = multiline ? stackHeader(p.line, following) : undefined;
    if (lang && current && !current.hasStack && ATTACHES.has(current.parsed.level)) {
      current.items.push(p);
      current.state = { lang, closed: false };
      current.hasStack = true;
      return;
    }
    const orphan = multiline && !lang && continuesStack(p.line, undefined);
    const g: Group = {
      items: [p],
      parsed: parse(p, formats),
      state: lang
        ? { lang, closed: false }
        : orphan
          ? advanceStack({ closed: false }, p.line)
          : { closed: false },
      hasStack: lang !== undefined || orphan,
      orphan,
    };
    groups.push(g);
    open.set(p.key, g);
  });
  // A trace still open when the batch ends may go on in the next one.
  for (const g of open.values()) if (g.hasStack && !g.state.closed) g.orphan = true;
  return groups;
}

/** Moves a trace out of the message into `error.*`, keeping what the parser already found. */
function withStack(parsed: ParsedLine): ParsedLine {
  const split = parsed.message ? splitStack(parsed.message) : undefined;
  if (!split) return withStackType(parsed);
  const fields = mergeFields({}, parsed.fields ?? {});
  const error = child(fields, 'error');
  for (const key of ['type', 'message', 'stack_trace'] as const) {
    if (error[key] === undefined && split.error[key] !== undefined) error[key] = split.error[key];
  }
  return { ...parsed, message: split.message, fields, level: parsed.level ?? split.level };
}

/** A structured line's own trace (`exc_info`, `stack_trace`) names its exception when the line did not. */
function withStackType(parsed: ParsedLine): ParsedLine {
  const error = parsed.fields?.error as Record<string, unknown> | undefined;
  if (!error || typeof error.stack_trace !== 'string' || error.type !== undefined) return parsed;
  const split = splitStack(`\n${error.stack_trace}`);
  if (!split?.error.type) return parsed;
  const fields = mergeFields({}, parsed.fields ?? {});
  const out = child(fields, 'error');
  out.type = split.error.type;
  if (out.message === undefined && split.error.message !== undefined)
    out.message = split.error.message;
  return { ...parsed, fields };
}

function documentOf(g: Group): { event: InputEvent; parsed: ParsedLine } {
  const first = g.items[0]!;
  // A copy only when the envelope changed the source or the time, or lines are merged into it.
  const same = first.source === first.event.source && first.time === first.event.timestamp;
  const event: InputEvent =
    same && g.items.length === 1
      ? first.event
      : { ...first.event, source: first.source, timestamp: first.time };
  if (g.items.length === 1) {
    const parsed = first.line.includes('\n') ? withStack(g.parsed) : withStackType(g.parsed);
    return { event, parsed: g.orphan ? tagged(parsed, '_multiline_partial') : parsed };
  }
  // The merged document keeps the first event's id and record: a retry of that record rebuilds it whole.
  event.message = g.items.map((p) => stripEol(p.event.message)).join('\n');
  const head = g.parsed.message ?? first.line;
  const rest = g.items.slice(1).map((p) => p.line);
  let parsed = withStack({ ...g.parsed, message: [head, ...rest].join('\n') });
  if (g.orphan) parsed = tagged(parsed, '_multiline_partial');
  return { event, parsed };
}

function tagged(parsed: ParsedLine, tag: string): ParsedLine {
  return { ...parsed, tags: [...(parsed.tags ?? []), tag] };
}

/**
 * Parses, merges, enriches (`opts.enrich`), filters, redacts and routes a batch, in input order. Events arrive grouped by source;
 * stack-trace lines are merged per stream within one delivery record (for Kinesis, never across
 * records, so a retried record always rebuilds its own documents).
 *
 * @example
 * const { routed, stats } = transformEvents(events, config);
 * stats.dropped // { 'health-checks': 12 }
 */
export function transformEvents(
  events: readonly InputEvent[],
  config: Config,
  opts: { now?: number; enrich?: Enricher } = {},
): { routed: Routed[]; stats: TransformStats } {
  // When the batch arrived: the time of events whose transport time is no date.
  const arrival = opts.now ?? Date.now();
  const c = compile(config);
  const stats: TransformStats = { unmatched: 0, dropped: {}, merged: 0, redacted: 0 };
  const memo: SourceMemo = {};
  const prepared = events.map((e) => prepare(e, config, memo));
  for (const p of prepared) if (!p.route) stats.unmatched++;
  maskPemLines(prepared, (p) => (p.route ? c.routeRedact.get(p.route) : c.redact));
  const routed: Routed[] = [];
  for (const g of group(prepared, c.formats)) {
    const route = g.items[0]!.route;
    stats.merged += g.items.length - 1;
    const { event, parsed } = documentOf(g);
    const item = buildDocument(event, parsed, config, route, arrival);
    opts.enrich?.(item.doc);
    const reason =
      dropReason(route ? (c.routeDrop.get(route) ?? []) : [], item.doc) ??
      dropReason(c.drop, item.doc);
    if (reason) {
      stats.dropped[reason] = (stats.dropped[reason] ?? 0) + g.items.length;
      continue;
    }
    const redact = route ? c.routeRedact.get(route) : c.redact;
    const masked =
      g.items.length === 1 ? g.items[0]!.masked === true : g.items.some((p) => p.masked);
    if (redact && redactRouted(item, redact, masked)) stats.redacted++;
    routed.push(item);
  }
  return { routed, stats };
}
