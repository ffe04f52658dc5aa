// Decodes Kinesis records (KPL aggregates, gzip/zlib, CloudWatch Logs payloads, JSON, plain text) into input events.
import { createHash } from 'node:crypto';
import type { KinesisStreamRecord } from 'aws-lambda';
import { boundedStringify, parseBoundedJson } from '#shared/bounded-json.ts';
import { DecodeError } from '#shared/errors.ts';
import type { InputEvent } from '#shared/model.ts';
import { decodeBase64 } from './base64.ts';
import { asCloudWatchLogsMessage, toInputEvents, withText } from './cloudwatch-logs.ts';
import { decompress, isGzip, isZlib } from './compression.ts';
import { type UserRecord, userRecords } from './kpl.ts';
import {
  capEvents,
  DEFAULT_DECODE_LIMITS,
  type DecodeLimits,
  type Overflow,
  splitLines,
} from './limits.ts';

/** Where a Kinesis record sits: what its event ids and dead-letter entries are made of. */
export interface KinesisRecordRef {
  stream: string;
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  /** Epoch milliseconds of `approximateArrivalTimestamp`. */
  arrival: number;
  eventSourceArn: string;
  region?: string;
}

/** A part of a record that could not be decoded; its raw bytes go to the dead-letter prefix. */
export interface RejectedPart {
  error: string;
  reason: DecodeError['reason'];
  /** Base64 of the undecodable bytes (the whole record, or one KPL user record). */
  raw: string;
  /** The part as text, when it decoded that far: dead-lettered masked, in chunks, instead of `raw`. */
  text?: string;
  subSequenceNumber?: number;
}

export interface DecodedKinesisRecord {
  ref: KinesisRecordRef;
  events: InputEvent[];
  rejected: RejectedPart[];
  /** What the record held past its decode limits: text to redact and dead-letter, never to parse. */
  overflow: Overflow[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads stream, shard and sequence number off a Lambda Kinesis record; throws DecodeError('shape') when the
 * record lacks what a checkpoint needs.
 */
export function kinesisRecordRef(record: KinesisStreamRecord): KinesisRecordRef {
  const k = record?.kinesis;
  if (typeof k?.sequenceNumber !== 'string' || k.sequenceNumber === '') {
    throw new DecodeError('Kinesis record has no kinesis.sequenceNumber', 'shape');
  }
  const arn = typeof record.eventSourceARN === 'string' ? record.eventSourceARN : '';
  // arn:aws:kinesis:<region>:<account>:stream/<name>
  const stream = /:stream\/([^/]+)/.exec(arn)?.[1] ?? 'unknown-stream';
  // eventID is `shardId-000000000000:<sequence number>`.
  const shardId = typeof record.eventID === 'string' ? (record.eventID.split(':')[0] ?? '') : '';
  const seconds = Number(k.approximateArrivalTimestamp);
  return {
    stream,
    shardId: shardId || 'unknown-shard',
    sequenceNumber: k.sequenceNumber,
    partitionKey: typeof k.partitionKey === 'string' ? k.partitionKey : '',
    arrival: Number.isFinite(seconds) ? Math.round(seconds * 1000) : 0,
    eventSourceArn: arn,
    region: typeof record.awsRegion === 'string' ? record.awsRegion : undefined,
  };
}

/**
 * Event id of a line that carries none of its own (docs/architecture.md): a hash of stream, shard, sequence
 * number, KPL sub-sequence number and line index, so a redelivered record gets the same ids.
 */
export function kinesisEventId(
  ref: KinesisRecordRef,
  subSequenceNumber: number | undefined,
  line: number,
): string {
  return createHash('sha256')
    .update(
      `${ref.stream}\n${ref.shardId}\n${ref.sequenceNumber}\n${subSequenceNumber ?? '-'}\n${line}`,
    )
    .digest('hex')
    .slice(0, 40);
}

/**
 * Text of a payload. Invalid UTF-8 or a NUL byte means binary data, which is refused rather than indexed as
 * noise; other control bytes (ANSI colours above all) are common in real log lines and stay.
 */
function asText(bytes: Buffer): string {
  if (bytes.includes(0)) throw new DecodeError('record data is binary (NUL bytes)', 'binary');
  try {
    return utf8.decode(bytes);
  } catch (err) {
    throw new DecodeError('record data is binary (not UTF-8 text)', 'binary', { cause: err });
  }
}

/** What a payload holds: a CloudWatch Logs subscription message, or log lines. */
export type Payload =
  | {
      kind: 'cloudwatch-logs';
      message: ReturnType<typeof asCloudWatchLogsMessage>;
      /** Decoded bytes: what the payload took of its record's budget. */
      bytes: number;
    }
  /** `rest`: text past `limits.maxEvents` lines, left unsplit. */
  | { kind: 'lines'; lines: string[]; rest?: string; bytes: number };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Decodes one user record's bytes: gunzip/inflate if compressed, then a CloudWatch Logs message (by its
 * `messageType`), a JSON document (one line, or one line per element of an array), or text split into lines.
 *
 * @example
 * decodePayload(Buffer.from('a\nb\n'), 1 << 20) // { kind: 'lines', lines: ['a', 'b'] }
 */
export function decodePayload(
  bytes: Buffer,
  maxBytes: number,
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
): Payload {
  const compressed = isGzip(bytes) || isZlib(bytes);
  const raw = compressed ? decompress(bytes, maxBytes) : bytes;
  if (!compressed && raw.length > maxBytes) {
    throw new DecodeError(`record data exceeds ${maxBytes} bytes`, 'too_large');
  }
  const text = asText(raw);
  const size = raw.length;
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'lines', lines: [], bytes: size };
  const first = trimmed[0];
  if (first === '{' || first === '[') {
    // NDJSON or text that starts with a brace does not parse: split into lines below.
    const parsed = parseBoundedJson(trimmed, limits.maxJsonDepth);
    // Too deep to turn into fields: one line of text, which the transform keeps and tags.
    if (parsed && 'tooDeep' in parsed) return { kind: 'lines', lines: [trimmed], bytes: size };
    const value = parsed?.value;
    // The messageType marks a CloudWatch Logs subscription message (a control message has no logEvents).
    if (isPlainObject(value) && typeof value.messageType === 'string') {
      const message = withText(trimmed, () => asCloudWatchLogsMessage(value));
      return { kind: 'cloudwatch-logs', message, bytes: size };
    }
    if (isPlainObject(value)) {
      // One JSON document (FireLens, Docker, an application's line), possibly pretty-printed: one line.
      return {
        kind: 'lines',
        lines: [trimmed.includes('\n') ? JSON.stringify(value) : trimmed],
        bytes: size,
      };
    }
    if (Array.isArray(value)) {
      const line = (v: unknown) => (typeof v === 'string' ? v : boundedStringify(v));
      const lines = value.slice(0, limits.maxEvents).map(line);
      const rest = value.slice(limits.maxEvents).map(line).join('\n');
      return rest
        ? { kind: 'lines', lines, rest, bytes: size }
        : { kind: 'lines', lines, bytes: size };
    }
  }
  const { lines, rest } = splitLines(text, limits.maxEvents);
  return rest ? { kind: 'lines', lines, rest, bytes: size } : { kind: 'lines', lines, bytes: size };
}

function rejectedPart(err: DecodeError, data: Buffer, subSequenceNumber?: number): RejectedPart {
  const part: RejectedPart = {
    error: err.message,
    reason: err.reason,
    raw: data.toString('base64'),
  };
  if (err.text !== undefined) part.text = err.text;
  if (subSequenceNumber !== undefined) part.subSequenceNumber = subSequenceNumber;
  return part;
}

/**
 * Decodes one Lambda Kinesis record into input events whose `recordId` is its sequence number. Parts that
 * cannot be decoded come back in `rejected` (never thrown), so one bad KPL user record keeps its siblings.
 * Throws DecodeError only when the record has no sequence number to report.
 *
 * @example
 * const { events, rejected } = decodeKinesisRecord(event.Records[0], { maxBytes: 32 << 20 });
 */
export function decodeKinesisRecord(
  record: KinesisStreamRecord,
  opts: { maxBytes: number; region?: string; limits?: DecodeLimits },
): DecodedKinesisRecord {
  const ref = kinesisRecordRef(record);
  const region = ref.region ?? opts.region;
  const limits = opts.limits ?? DEFAULT_DECODE_LIMITS;
  const out: DecodedKinesisRecord = { ref, events: [], rejected: [], overflow: [] };
  let rest = '';
  let data: Buffer;
  try {
    data = decodeBase64(typeof record.kinesis.data === 'string' ? record.kinesis.data : '');
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    const raw = String(record.kinesis.data ?? '');
    out.rejected.push({ error: err.message, reason: err.reason, raw, text: err.text });
    return out;
  }
  let users: UserRecord[];
  try {
    users = userRecords(data, ref);
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    out.rejected.push(rejectedPart(err, data));
    return out;
  }
  // One budget of decompressed bytes for the whole record: a KPL aggregate of a hundred gzip
  // user records would otherwise be allowed a hundred times `maxBytes`.
  let budget = opts.maxBytes;
  for (const user of users) {
    try {
      const payload = decodePayload(user.data, budget, limits);
      budget -= payload.bytes;
      if (payload.kind === 'cloudwatch-logs') {
        // CloudWatch Logs ids are already stable; the record is still the unit Lambda checkpoints.
        // A loop, not push(...): from about 130,000 events a forged message would overflow the call stack.
        for (const e of toInputEvents(payload.message, ref.sequenceNumber, region))
          out.events.push(e);
        continue;
      }
      const source = {
        logGroup: ref.stream,
        logStream: user.partitionKey,
        region,
        kinesis: kinesisSource(ref, user.partitionKey),
      };
      if (payload.rest) rest = rest ? `${rest}\n${payload.rest}` : payload.rest;
      // Past the cap already: no more ids to hash or events to build for this record.
      if (out.events.length >= limits.maxEvents) {
        rest = rest ? `${payload.lines.join('\n')}\n${rest}` : payload.lines.join('\n');
        continue;
      }
      payload.lines.forEach((message, line) => {
        out.events.push({
          id: kinesisEventId(ref, user.subSequenceNumber, line),
          timestamp: ref.arrival,
          message,
          source,
          recordId: ref.sequenceNumber,
        });
      });
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      out.rejected.push(rejectedPart(err, user.data, user.subSequenceNumber));
    }
  }
  const capped = capEvents(out.events, limits, rest);
  out.events = capped.kept;
  out.overflow = capped.overflow;
  return out;
}

function kinesisSource(ref: KinesisRecordRef, partitionKey: string) {
  return {
    stream: ref.stream,
    shardId: ref.shardId,
    sequenceNumber: ref.sequenceNumber,
    partitionKey,
  };
}
