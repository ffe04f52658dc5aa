// Sample S3 objects beside their notifications (events/s3/objects/<bucket>/<key>): read from files for a dry run, uploaded into the local stack's S3 for a live replay.
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ObjectStore } from '#shared/clients/s3-objects.ts';
import { ObjectReadError } from '#shared/errors.ts';
import { s3Deliveries } from '#shared/sources/s3-notifications.ts';

export interface SampleObject {
  bucket: string;
  key: string;
  file: string;
}

/** The folder an event file's objects are kept in: `objects/` beside it. */
export function samplesRoot(eventFile: string): string {
  return join(dirname(eventFile), 'objects');
}

/** The objects an event announces that have a sample file under `root`. */
export function sampleObjects(root: string, event: unknown): SampleObject[] {
  const out: SampleObject[] = [];
  for (const d of s3Deliveries(event).deliveries)
    for (const o of d.objects) {
      const file = join(root, o.bucket, o.key);
      if (existsSync(file)) out.push({ bucket: o.bucket, key: o.key, file });
    }
  return out;
}

/** An object store over the sample files, for `replay --dry-run` (no services). */
export function fileObjectStore(root: string): ObjectStore {
  return {
    async get(ref, start) {
      const file = join(root, ref.bucket, ref.key);
      if (!existsSync(file)) throw new ObjectReadError(`no sample file ${file}`, 'missing');
      return { body: createReadStream(file, { start }) };
    },
  };
}

/** Puts the sample objects into the local stack's S3 (their buckets created when missing). */
export async function uploadSamples(s3: S3Client, samples: readonly SampleObject[]): Promise<void> {
  for (const bucket of new Set(samples.map((s) => s.bucket))) {
    await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((err: Error) => {
      if (err.name !== 'BucketAlreadyOwnedByYou' && err.name !== 'BucketAlreadyExists') throw err;
    });
  }
  for (const s of samples) {
    await s3.send(
      new PutObjectCommand({ Bucket: s.bucket, Key: s.key, Body: readFileSync(s.file) }),
    );
  }
}
