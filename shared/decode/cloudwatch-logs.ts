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

/** Checks the decoded JSON is a subscription message; names the first thing wrong. */
export function asCloudWatchLogsMessage(value: unknown): CloudWatchLogsMessage {
  if (!isRecord(value)) throw new DecodeError('subscription message is not a JSON object', 'shape');
  const { messageType, logGroup, logStream, logEvents } = value;
  if (messageType !== 'DATA_MESSAGE' && messageType !== 'CONTROL_MESSAGE') {
    throw new DecodeError(`unknown messageType ${JSON.stringify(messageType)}`, 'shape');
  }
  if (messageType === 'CONTROL_MESSAGE') return value as unknown as CloudWatchLogsMessage;
  if (typeof logGroup !== 'string' || typeof logStream !== 'string') {
    throw new DecodeError('subscription message lacks logGroup/logStream', 'shape');
  }
  if (!Array.isArray(logEvents))
    throw new DecodeError('subscription message lacks logEvents', 'shape');
  for (const [i, ev] of logEvents.entries()) {
    if (
      !isRecord(ev) ||
      typeof ev.id !== 'string' ||
      typeof ev.timestamp !== 'number' ||
      typeof ev.message !== 'string'
    ) {
      throw new DecodeError(`logEvents[${i}] is not {id, timestamp, message}`, 'shape');
    }
  }
  return value as unknown as CloudWatchLogsMessage;
}

/** Parses JSON text, turning syntax errors into DecodeError. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DecodeError(`${what} is not valid JSON: ${(err as Error).message}`, 'json', {
      cause: err,
    });
  }
}

/**
 * Decodes the compressed bytes of a subscription payload (as in `awslogs.data` once base64-decoded,
 * or a Kinesis record's data from a CloudWatch Logs destination).
 */
export function decodeCloudWatchLogsBytes(bytes: Buffer, maxBytes: number): CloudWatchLogsMessage {
  const json = decompress(bytes, maxBytes, 'gzip').toString('utf8');
  return asCloudWatchLogsMessage(parseJson(json, 'subscription payload'));
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
