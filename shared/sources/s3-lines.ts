// What each line of an S3 object carries into the pipeline: its stable id, its source (bucket, key, account, region, parser) and its dead-letter source.
import { createHash } from 'node:crypto';
import type { Dataset, EventSource } from '#shared/model.ts';
import type { ObjectRef } from './s3-notifications.ts';

/**
 * `_id` of an object's line (docs/architecture.md, "Delivery guarantees"): bucket, key, version (or etag) and line number, so a
 * redelivered notification, a resume or a re-run writes the same ids.
 *
 * @example
 * s3EventId({ bucket, key, etag, eventTime }, 1) // 40 hex digits, the same on every run
 */
export function s3EventId(ref: ObjectRef, line: number): string {
  const version = ref.versionId ?? ref.etag ?? '-';
  return createHash('sha256')
    .update(`s3\n${ref.bucket}\n${ref.key}\n${version}\n${line}`)
    .digest('hex')
    .slice(0, 40);
}

// `AWSLogs/<account>/<service>/<region>/…`, with an organisation id before the account for org trails.
const AWS_LOGS =
  /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]+\/)?(\d{12})\/[A-Za-z-]+\/([a-z]{2}(?:-[a-z]+)+-\d)\//;

/**
 * The source of an object's lines: the bucket and key (as `logGroup` / `logStream` too, for routes
 * and archive keys), the account and region its `AWSLogs/` key names, the parser and header fields.
 *
 * @example
 * sourceOf(ref, 'aws.elb').owner // '123456789012' for AWSLogs/123456789012/elasticloadbalancing/…
 */
export function sourceOf(
  ref: ObjectRef,
  dataset: Dataset | undefined,
  fields?: string[],
): EventSource {
  const m = AWS_LOGS.exec(ref.key);
  const s3: EventSource['s3'] = { bucket: ref.bucket, key: ref.key };
  if (ref.versionId) s3.versionId = ref.versionId;
  if (ref.etag) s3.etag = ref.etag;
  if (fields) s3.fields = fields;
  const source: EventSource = { logGroup: ref.bucket, logStream: ref.key, s3 };
  if (m) source.owner = m[1];
  const region = m?.[2] ?? ref.region;
  if (region) source.region = region;
  if (dataset) source.dataset = dataset;
  return source;
}

/**
 * Dead-letter `source` of an object (and line): enough to find it again.
 *
 * @example
 * deadLetterSource(ref, 12) // { trigger: 's3', bucket, key, version_id, etag, line: 12 }
 */
export function deadLetterSource(ref: ObjectRef, line?: number): Record<string, unknown> {
  return {
    trigger: 's3',
    bucket: ref.bucket,
    key: ref.key,
    version_id: ref.versionId,
    etag: ref.etag,
    line,
  };
}
