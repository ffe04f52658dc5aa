// In-memory S3 objects and notifications for unit tests of the S3 source: a store that streams in small chunks, and SQS-wrapped events.
import type { SQSEvent } from 'aws-lambda';
import type { ObjectStore } from '#shared/clients/s3-objects.ts';
import { ObjectReadError } from '#shared/errors.ts';

export interface MemoryStore extends ObjectStore {
  /** Every get, in order: key and start byte. */
  gets: { key: string; start?: number }[];
  /** Chunks handed out so far, over every get (a test's clock can follow the reading). */
  served: number;
}

/**
 * Objects by key, streamed `chunk` bytes at a time; `fail` names keys whose read fails with that
 * error (or `missing` / `superseded`).
 */
export function memoryObjectStore(
  objects: Record<string, Buffer>,
  opts: { chunk?: number; fail?: Record<string, Error | 'missing' | 'superseded'> } = {},
): MemoryStore {
  const gets: MemoryStore['gets'] = [];
  const store: MemoryStore = {
    gets,
    served: 0,
    async get(ref, start) {
      gets.push({ key: ref.key, start });
      const failure = opts.fail?.[ref.key];
      if (failure instanceof Error) throw failure;
      if (failure) throw new ObjectReadError(`${ref.key}: ${failure}`, failure);
      const bytes = objects[ref.key];
      if (!bytes) throw new ObjectReadError(`${ref.key} not found`, 'missing');
      const size = opts.chunk ?? 4096;
      const from = start ?? 0;
      return {
        etag: '"etag-of-store"',
        body: (async function* () {
          for (let i = from; i < bytes.length; i += size) {
            store.served++;
            yield bytes.subarray(i, i + size);
          }
        })(),
      };
    },
  };
  return store;
}

/** An S3 ObjectCreated notification for one object, as S3 writes it (key URL-encoded). */
export function s3Notification(bucket: string, key: string, etag = 'etag-1'): string {
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: '2025-11-20T10:05:00.000Z',
        eventName: 'ObjectCreated:Put',
        s3: {
          s3SchemaVersion: '1.0',
          bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
          object: {
            key: encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+'),
            size: 1,
            eTag: etag,
            sequencer: '0A1B2C3D4E5F678901',
          },
        },
      },
    ],
  });
}

/** An SQS event whose messages carry the given bodies, ids `m1`, `m2`, … */
export function sqsEvent(bodies: string[]): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `m${i + 1}`,
      receiptHandle: `rh-${i + 1}`,
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '1763633100000',
        SenderId: 'AIDAEXAMPLE',
        ApproximateFirstReceiveTimestamp: '1763633100000',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:logferry-s3',
      awsRegion: 'us-east-1',
    })),
  };
}
