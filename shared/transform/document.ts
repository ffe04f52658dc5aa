// Builds the ECS document (docs/architecture.md, "Document") from an input event and what its parser found.
import type { Config, Route } from '#shared/config/schema.ts';
import type { Fields, InputEvent, LogDocument, ParsedLine, Routed } from '#shared/model.ts';
import { mergeFields, setOwn } from '#shared/parse/merge.ts';
import { formatTime } from '#shared/parse/time.ts';
import { classify, indexName, indexPrefix } from '#shared/transform/classify.ts';

/** CloudWatch keeps the newline that ended each line (Lambda's always do); it is not part of the message. */
export function stripEol(line: string): string {
  const end = line.endsWith('\r\n') ? 2 : line.endsWith('\n') ? 1 : 0;
  return end ? line.slice(0, -end) : line;
}

/** Merges `src` into `dst` in place, recursing into objects; `src` wins on leaves (safe for untrusted keys). */
export const deepMerge = mergeFields;

/**
 * `deepMerge` for fields that belong to this one line (a parser builds them afresh for every line):
 * an object `dst` lacks is taken as it is instead of copied, key by key, into a new one.
 */
function adoptFields(dst: Fields, src: Fields): void {
  for (const key in src) {
    if (!Object.hasOwn(src, key)) continue;
    const value = src[key];
    if (value === undefined) continue;
    const existing = Object.hasOwn(dst, key) ? dst[key] : undefined;
    if (isPlainObject(value) && isPlainObject(existing)) adoptFields(existing, value);
    else setOwn(dst, key, value);
  }
}

function isPlainObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: the times an ISO date with a four-digit year can write. */
const MIN_TIME = -62_167_219_200_000;
const MAX_TIME = 253_402_300_799_999;

/**
 * Whether `t` (epoch ms) is a date the document, its index name and its archive key can hold. Date
 * accepts ±8.64e15, but that writes `+275760-09-13`, which no index name may come from.
 *
 * @example
 * isValidTime(Date.UTC(2025, 10, 20)) // true
 * isValidTime(8.64e15) // false
 */
export function isValidTime(t: unknown): t is number {
  return typeof t === 'number' && Number.isFinite(t) && t >= MIN_TIME && t <= MAX_TIME;
}

/**
 * The document's time: the line's own when it is a real date (not before 1970, at most a year past
 * the transport time), else the transport's, else `arrival` (when the pipeline got the event).
 * `invalid` says a time was there and unusable, which tags the document.
 */
function eventTime(
  parsed: ParsedLine,
  event: InputEvent,
  arrival: number,
): { time: number; invalid: boolean } {
  const t = parsed.time;
  const transport = isValidTime(event.timestamp) ? event.timestamp : undefined;
  const lineInvalid = t !== undefined && !isValidTime(t);
  if (
    t !== undefined &&
    !lineInvalid &&
    t >= 0 &&
    (transport === undefined || t <= transport + 366 * 86_400_000)
  ) {
    return { time: t, invalid: false };
  }
  if (transport !== undefined) return { time: transport, invalid: lineInvalid };
  return { time: isValidTime(arrival) ? arrival : Date.now(), invalid: true };
}

/**
 * Adds the source's fields to a new document (which has none of these keys yet), building each object
 * once instead of building it and then copying it in.
 */
function addSourceFields(doc: LogDocument, event: InputEvent): void {
  const { source } = event;
  if (source.kinesis) {
    const k = source.kinesis;
    doc.aws = {
      kinesis: {
        stream: k.stream,
        shard_id: k.shardId,
        partition_key: k.partitionKey,
        sequence_number: k.sequenceNumber,
      },
    };
  } else if (source.s3) {
    // logGroup and logStream hold the bucket and key for routes and archive keys; the document says what they are.
    doc.aws = { s3: { bucket: { name: source.s3.bucket }, object: { key: source.s3.key } } };
  } else if (source.logGroup || source.logStream) {
    // As a merge would, an absent value leaves no key.
    const cloudwatch: Fields = {};
    if (source.logGroup !== undefined) cloudwatch.log_group = source.logGroup;
    if (source.logStream !== undefined) cloudwatch.log_stream = source.logStream;
    doc.aws = { cloudwatch };
  }
  if (source.owner || source.region) {
    const cloud: Fields = { provider: 'aws' };
    if (source.owner) cloud.account = { id: source.owner };
    if (source.region) cloud.region = source.region;
    doc.cloud = cloud;
  }
  // Several events may share a wrapper's objects: they go in as copies.
  const wrapper = source.wrapper;
  if (wrapper) {
    for (const key of Object.keys(wrapper)) {
      const value = wrapper[key];
      if (key === 'app' || value === undefined) continue;
      // What deepMerge(doc, { [key]: value }) does, without the one-key object per key and event.
      const existing = Object.hasOwn(doc, key) ? (doc as Fields)[key] : undefined;
      if (isPlainObject(value) && isPlainObject(existing)) deepMerge(existing, value);
      else setOwn(doc as Fields, key, isPlainObject(value) ? deepMerge({}, value) : value);
    }
  }
}

/**
 * Turns one parsed line into its document, target index and archive group.
 *
 * @example
 * const routed = buildDocument(event, parseLine(event.message, ctx), config, route);
 * routed.index // 'logs-access-2024.01.15'
 */
export function buildDocument(
  event: InputEvent,
  parsed: ParsedLine,
  config: Config,
  route?: Route,
  arrival: number = Date.now(),
): Routed {
  const message = parsed.message ?? event.message;
  const when = eventTime(parsed, event, arrival);
  const timestamp = formatTime(when.time);
  const logType = classify(parsed.dataset, parsed.level, route);
  const doc: LogDocument = {
    '@timestamp': timestamp,
    message,
    event: { id: event.id, dataset: parsed.dataset },
    log: { type: logType },
  };
  if (message !== stripEol(event.message)) doc.event.original = event.message;
  if (parsed.level) doc.log.level = parsed.level;
  addSourceFields(doc, event);
  if (parsed.fields) adoptFields(doc, parsed.fields);
  // Parser fields must not override the identity and classification above.
  doc.event.id = event.id;
  doc.event.dataset = parsed.dataset;
  doc.log.type = logType;
  // Envelope keys with no ECS home (FireLens `options`, Docker `attrs`) sit beside the line's own.
  const wrapperApp = event.source.wrapper?.app as Record<string, unknown> | undefined;
  const app = wrapperApp ? { ...wrapperApp, ...parsed.app } : parsed.app;
  if (app && Object.keys(app).length) doc.app = app;
  if (parsed.tags?.length) doc.tags = [...parsed.tags];
  if (when.invalid) doc.tags = [...(doc.tags ?? []), '_invalid_timestamp'];
  return {
    doc,
    index: indexName(indexPrefix(config, route), logType, timestamp),
    raw: event.message,
    recordId: event.recordId,
    group: event.source.logGroup ?? 'unknown',
  };
}
