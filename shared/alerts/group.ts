// Groups the documents that matched an alert rule by rule and fingerprint, with what a message shows. Pure.
import type { LogDocument, LogType, Routed } from '#shared/model.ts';
import { fingerprint, normalizeMessage } from './fingerprint.ts';
import { type AlertRule, errorOf, matchRule, sourceOf, statusOf } from './rules.ts';

/** Distinct streams and event ids kept per group: enough to show and to count a threshold. */
const MAX_STREAMS = 5;
const MAX_IDS = 1000;

/** One fingerprint under one rule within a batch. */
export interface AlertGroup {
  /** Deterministic alert-state id: rule, fingerprint and the start of the quiet window. */
  id: string;
  rule: AlertRule;
  fingerprint: string;
  normalized: string;
  count: number;
  /** Epoch milliseconds of the first and last match. */
  first: number;
  last: number;
  windowStart: number;
  logType: LogType;
  level?: string;
  /** The log group; for Kinesis data without one, the stream name (what routes and archive keys use). */
  logGroup?: string;
  /** Set for Kinesis data that is no CloudWatch Logs payload: such events have no log group to link to. */
  kinesisStream?: string;
  /** The index the first match went to: Discover links open its prefix's index pattern. */
  index?: string;
  /** Distinct streams, first few; `streams` counts them all. */
  logStreams: string[];
  streams: number;
  region?: string;
  errorType?: string;
  topFrame?: string;
  status?: number;
  message: string;
  /** The first matching line as logged (already redacted by the pipeline). */
  sample: string;
  sampleStream?: string;
  /** Ids of the matching events, for thresholds counted across invocations (redelivery adds nothing). */
  eventIds: string[];
}

const JAVA_NODE_FRAME = /^\s*at\s+\S/;
const PYTHON_FRAME = /^\s*File "/;
const GO_FRAME = /^\s+\S+\.go:\d+/;

/**
 * The frame where the error was raised: the first `at …` line (Java, Node), the last `File "…"` line
 * (Python prints the innermost call last), or the first function of a Go goroutine dump with its file.
 *
 * @example
 * topFrame('Error: boom\n    at charge (/app/payments.js:88:11)') // 'at charge (/app/payments.js:88:11)'
 */
export function topFrame(stack: string | undefined): string | undefined {
  if (!stack) return undefined;
  const lines = stack.split('\n');
  let python: string | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (JAVA_NODE_FRAME.test(line)) return line.trim().slice(0, 300);
    if (PYTHON_FRAME.test(line)) python = line.trim();
    else if (GO_FRAME.test(line) && i > 0) {
      const fn = lines[i - 1]!.trim();
      return `${fn} ${line.trim().replace(/\s\+0x[0-9a-f]+$/, '')}`.slice(0, 300);
    }
  }
  return python?.slice(0, 300);
}

function timeOf(doc: LogDocument): number {
  const t = Date.parse(doc['@timestamp']);
  return Number.isFinite(t) ? t : 0;
}

/** The stream of Kinesis data that carries no CloudWatch Logs payload (FireLens, KPL, plain text). */
function kinesisStreamOf(doc: LogDocument): string | undefined {
  const aws = doc.aws as
    | { cloudwatch?: { log_group?: unknown }; kinesis?: { stream?: unknown } }
    | undefined;
  if (typeof aws?.cloudwatch?.log_group === 'string') return undefined;
  return typeof aws?.kinesis?.stream === 'string' ? aws.kinesis.stream : undefined;
}

function regionOf(doc: LogDocument): string | undefined {
  const region = (doc.cloud as { region?: unknown } | undefined)?.region;
  return typeof region === 'string' ? region : undefined;
}

/** The line as it was logged when the pipeline kept it apart from the message. */
function sampleOf(doc: LogDocument): string {
  return typeof doc.event.original === 'string' ? doc.event.original : doc.message;
}

/**
 * Matches each document against the rules and groups the matches by rule and fingerprint, in the
 * order groups were first seen. Documents no rule claims are left out.
 *
 * @example
 * const groups = groupMatches(delivered, compileAlertRules(config.alerts));
 */
export function groupMatches(
  items: readonly (Pick<Routed, 'doc' | 'group'> & { index?: string })[],
  rules: readonly AlertRule[],
): AlertGroup[] {
  if (rules.length === 0) return [];
  const groups = new Map<string, AlertGroup>();
  const streams = new Map<string, Set<string>>();
  const ids = new Map<string, Set<string>>();
  for (const { doc, group, index } of items) {
    const rule = matchRule(rules, doc, group);
    if (!rule) continue;
    const source = sourceOf(doc, group);
    const error = errorOf(doc);
    const fp = fingerprint({
      source: source.group ?? '',
      errorType: error.type,
      message: doc.message,
      errorMessage: error.message,
    });
    const key = `${rule.name}\u0000${fp}`;
    const time = timeOf(doc);
    let g = groups.get(key);
    if (!g) {
      g = {
        id: '',
        rule,
        fingerprint: fp,
        normalized: normalizeMessage(error.type ? `${error.type}: ${doc.message}` : doc.message),
        count: 0,
        first: time,
        last: time,
        windowStart: 0,
        logType: doc.log.type,
        level: doc.log.level,
        logGroup: source.group,
        kinesisStream: kinesisStreamOf(doc),
        index,
        logStreams: [],
        streams: 0,
        region: regionOf(doc),
        errorType: error.type,
        topFrame: topFrame((doc.error as { stack_trace?: string } | undefined)?.stack_trace),
        status: statusOf(doc),
        message: doc.message,
        sample: sampleOf(doc),
        sampleStream: source.stream,
        eventIds: [],
      };
      groups.set(key, g);
      streams.set(key, new Set());
      ids.set(key, new Set());
    }
    g.count++;
    g.first = Math.min(g.first, time);
    g.last = Math.max(g.last, time);
    const seenStreams = streams.get(key)!;
    if (source.stream && !seenStreams.has(source.stream)) {
      seenStreams.add(source.stream);
      g.streams++;
      if (g.logStreams.length < MAX_STREAMS) g.logStreams.push(source.stream);
    }
    const seenIds = ids.get(key)!;
    if (seenIds.size < MAX_IDS && !seenIds.has(doc.event.id)) {
      seenIds.add(doc.event.id);
      g.eventIds.push(doc.event.id);
    }
  }
  // The window comes from the events' own time, not the clock: a redelivered batch lands in the same one.
  for (const g of groups.values()) {
    g.windowStart = Math.floor(g.first / g.rule.windowMs) * g.rule.windowMs;
    g.id = `${g.rule.name}:${g.fingerprint}:${new Date(g.windowStart).toISOString()}`;
  }
  return [...groups.values()];
}
