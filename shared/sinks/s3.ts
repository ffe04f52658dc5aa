// The S3 sinks: archive objects and dead-letter entries as gzipped NDJSON under deterministic keys.
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { boundedStringify } from '#shared/bounded-json.ts';
import { errorMessage, TransientSinkError } from '#shared/errors.ts';
import { archiveRow, contentKey, hourPartition } from './archive-keys.ts';
import { gzipNdjsonAsync } from './ndjson.ts';
import type { ArchiveObject, ArchiveSink, DeadLetterEntry, DeadLetterSink } from './types.ts';

export interface S3SinkOptions {
  client: S3Client;
  bucket: string;
  gzipLevel: number;
}

async function put(
  opts: S3SinkOptions,
  key: string,
  body: Buffer,
  deadline: number,
): Promise<void> {
  const abortSignal = AbortSignal.timeout(Math.max(1000, deadline - Date.now()));
  await opts.client.send(
    new PutObjectCommand({
      Bucket: opts.bucket,
      Key: key,
      Body: body,
      ContentType: 'application/x-ndjson',
      ContentEncoding: 'gzip',
    }),
    { abortSignal },
  );
}

/**
 * Archive sink writing each object once; failures are reported per key (the SDK already retried them).
 *
 * @example
 * const sink = createS3ArchiveSink({ client, bucket: 'logs-archive', gzipLevel: 1 });
 */
export function createS3ArchiveSink(opts: S3SinkOptions): ArchiveSink {
  return {
    async archive(objects: readonly ArchiveObject[], deadline: number) {
      const written: string[] = [];
      const failed: { key: string; error: string }[] = [];
      await Promise.all(
        objects.map(async (obj) => {
          try {
            const body = await gzipNdjsonAsync(obj.items.map(archiveRow), opts.gzipLevel);
            await put(opts, obj.key, body, deadline);
            written.push(obj.key);
          } catch (err) {
            failed.push({ key: obj.key, error: `s3 put ${obj.key}: ${errorMessage(err)}` });
          }
        }),
      );
      return { written, failed };
    },
  };
}

/** `dead-letter/dt=…/hour=…/<hash>.ndjson.gz`, partitioned by when the failure happened. */
export function deadLetterKey(entries: readonly DeadLetterEntry[], now: number): string {
  const parts = entries.map((e) => `${e.recordId}|${e.document?.event.id ?? ''}|${e.reason}`);
  return `dead-letter/${hourPartition(new Date(now).toISOString())}/${contentKey(parts)}.ndjson.gz`;
}

export function createS3DeadLetterSink(opts: S3SinkOptions): DeadLetterSink {
  return {
    async write(entries: readonly DeadLetterEntry[], now: number) {
      if (entries.length === 0) return [];
      const key = deadLetterKey(entries, now);
      const rows = entries.map((e) =>
        boundedStringify({
          document: e.document,
          raw: e.raw,
          error: { message: e.error, reason: e.reason },
          attempts: e.attempts,
          record_id: e.recordId,
          source: e.source,
          failed_at: new Date(now).toISOString(),
        }),
      );
      try {
        await put(opts, key, await gzipNdjsonAsync(rows, opts.gzipLevel), now + 30_000);
      } catch (err) {
        throw new TransientSinkError(
          `dead-letter put ${key}: ${errorMessage(err)}`,
          'dead-letter',
          { cause: err },
        );
      }
      return [key];
    },
  };
}
