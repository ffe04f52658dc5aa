// Decodes a CloudWatch Logs subscription payload (base64 + gzip JSON) into its message, checking its shape.
import { DecodeError } from '#shared/errors.ts';
import type { InputEvent } from '#shared/model.ts';
import { decodeBase64 } from './base64.ts';
import { decompress } from './compression.ts';

export interface CloudWatchLogEvent {
  id: string;
  timestamp: number;
  message: string;
}

export interface CloudWatchLogsMessage {
  messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE';
  owner: string;
  logGroup: string;
  logStream: string;
  subscriptionFilters: string[];
  logEvents: CloudWatchLogEvent[];
  policyLevel?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An event id as a string. CloudWatch Logs sends strings (56 digits, past any JSON number's precision);
 * emulators such as moto and some older agents send small integers, which convert to the same string on
 * every delivery. A number that JSON cannot carry exactly (fraction, negative, past 2^53) would give an id
 * that differs from the sender's, so it is refused like any other id that is not a string.
 */
function eventId(id: unknown, index: number): string {
  if (typeof id === 'string') return id;
  if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) return String(id);
  throw new DecodeError(
    `logEvents[${index}].id is ${typeof id === 'number' ? `the number ${id}, which is not exact as an id` : `not a string (${id === null ? 'null' : typeof id})`}`,
    'shape',
  );
}

/** Checks the decoded JSON is a subscription message (event ids made strings); names the first thing wrong. */
export function asCloudWatchLogsMessage(value: unknown): CloudWatchLogsMessage {
  if (!isRecord(value)) throw new DecodeError('subscription message is not a JSON object', 'shape');
  const { messageType, logGroup, logStream, logEvents } = value;
  if (messageType !== 'DATA_MESSAGE' && messageType !== 'CONTROL_MESSAGE') {
    const shown = JSON.stringify(
      typeof messageType === 'string' ? messageType.slice(0, 40) : messageType,
    );
    throw new DecodeError(`unknown messageType ${shown?.slice(0, 48)}`, 'shape');
  }
  if (messageType === 'CONTROL_MESSAGE') return value as unknown as CloudWatchLogsMessage;
  if (typeof logGroup !== 'string' || typeof logStream !== 'string') {
    throw new DecodeError('subscription message lacks logGroup/logStream', 'shape');
  }
  if (!Array.isArray(logEvents))
    throw new DecodeError('subscription message lacks logEvents', 'shape');
  for (const [i, ev] of logEvents.entries()) {
    if (!isRecord(ev) || typeof ev.timestamp !== 'number' || typeof ev.message !== 'string') {
      throw new DecodeError(`logEvents[${i}] is not {id, timestamp, message}`, 'shape');
    }
    ev.id = eventId(ev.id, i);
  }
  return value as unknown as CloudWatchLogsMessage;
}

/**
 * Parses JSON text, turning syntax errors into DecodeError (with the text). The engine's message
 * quotes the text it stopped at (`"password=h"... is not valid JSON`): only the part before the
 * quote is kept, as error messages are logged and dead-lettered unmasked.
 */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const quote = message.indexOf(', "');
    const why = quote >= 0 ? message.slice(0, quote) : message;
    throw new DecodeError(`${what} is not valid JSON: ${why}`, 'json', { cause: err, text });
  }
}

/**
 * Decodes the compressed bytes of a subscription payload (as in `awslogs.data` once base64-decoded,
 * or a Kinesis record's data from a CloudWatch Logs destination).
 */
export function decodeCloudWatchLogsBytes(bytes: Buffer, maxBytes: number): CloudWatchLogsMessage {
  const json = decompress(bytes, maxBytes, 'gzip').toString('utf8');
  return withText(json, () => asCloudWatchLogsMessage(parseJson(json, 'subscription payload')));
}

/**
 * Runs `decode` over `text`, adding the text to a DecodeError it throws: what failed after the
 * payload was text is dead-lettered as text.
 *
 * @example
 * withText(json, () => asCloudWatchLogsMessage(JSON.parse(json)));
 */
export function withText<T>(text: string, decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    if (!(err instanceof DecodeError) || err.text !== undefined) throw err;
    throw new DecodeError(err.message, err.reason, { cause: err.cause, text });
  }
}

/**
 * Decodes `event.awslogs.data` of a Lambda CloudWatch Logs event.
 *
 * @example
 * const msg = decodeCloudWatchLogsData(event.awslogs.data, 32 * 1024 * 1024);
 */
export function decodeCloudWatchLogsData(data: unknown, maxBytes: number): CloudWatchLogsMessage {
  if (typeof data !== 'string') throw new DecodeError('awslogs.data is not a string', 'shape');
  return decodeCloudWatchLogsBytes(decodeBase64(data), maxBytes);
}

/** The region is not in the payload; the caller knows it from the Lambda environment. */
export function toInputEvents(
  msg: CloudWatchLogsMessage,
  recordId: string,
  region?: string,
): InputEvent[] {
  if (msg.messageType !== 'DATA_MESSAGE') return [];
  const source = { logGroup: msg.logGroup, logStream: msg.logStream, owner: msg.owner, region };
  return msg.logEvents.map((ev) => ({
    id: ev.id,
    timestamp: ev.timestamp,
    message: ev.message,
    source,
    recordId,
  }));
}
