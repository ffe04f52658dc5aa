// Turns the events that announce S3 objects (SQS-wrapped S3 or EventBridge notifications, direct S3 events, resume messages) into the objects to read.
import type { Dataset } from '#shared/model.ts';

/** Where a read stopped, carried by a resume message so the next invocation goes on from there. */
export interface ResumeMarker {
  /** Lines (CloudTrail records) already delivered. */
  line: number;
  /** Decompressed bytes up to the end of that line. */
  end: number;
  /** Whether the object is gzip: a plain one is read on with a ranged GET from `end`. */
  gzip: boolean;
  /** What the object's key or first line named, and its header's fields, which lie behind `end`. */
  dataset?: Dataset;
  records?: boolean;
  fields?: string[];
}

/** One object to read. */
export interface ObjectRef {
  bucket: string;
  /** The key as stored (S3 notifications URL-encode it; this is decoded). */
  key: string;
  versionId?: string;
  etag?: string;
  size?: number;
  region?: string;
  /** When S3 announced the object (epoch ms): the transport time of its lines. */
  eventTime: number;
  resume?: ResumeMarker;
}

/** A delivery unit: one SQS message (or one direct event record) and the objects it announces. */
export interface Delivery {
  recordId: string;
  objects: ObjectRef[];
  /** Set when the message announces nothing this build can read: it is dead-lettered as it is. */
  error?: string;
  raw?: string;
}

export type S3Trigger = 'sqs' | 's3' | 'eventbridge';

/** Marks a message logferry sent itself to go on with an object; an S3 notification never has it. */
export const RESUME_KEY = 'logferryResume';

/**
 * The SQS message that makes the next invocation go on with `ref` after `marker`.
 *
 * @example
 * await queue.send(resumeMessage(ref, { line: 5000, end: 1_048_576, gzip: true }));
 */
export function resumeMessage(ref: ObjectRef, marker: ResumeMarker): string {
  const { resume: _previous, ...object } = ref;
  return JSON.stringify({ [RESUME_KEY]: { object, marker } });
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function time(v: unknown, fallback: number): number {
  const t = typeof v === 'string' ? Date.parse(v) : Number.NaN;
  return Number.isFinite(t) ? t : fallback;
}

/**
 * S3 notification keys are URL-encoded with `+` for spaces (`red flower.jpg` is `red+flower.jpg`).
 *
 * @example
 * decodeS3Key('red+flower.jpg') // 'red flower.jpg'
 */
export function decodeS3Key(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
}

/** Objects of an S3 event notification (`Records[].s3`); only ObjectCreated events name new objects. */
function fromS3Records(records: unknown[], now: number): ObjectRef[] {
  const out: ObjectRef[] = [];
  for (const r of records) {
    if (!isObj(r) || !isObj(r.s3)) continue;
    const name = str(r.eventName) ?? '';
    if (name && !name.startsWith('ObjectCreated')) continue;
    const bucket = isObj(r.s3.bucket) ? str(r.s3.bucket.name) : undefined;
    const object = isObj(r.s3.object) ? r.s3.object : undefined;
    const key = str(object?.key);
    if (!bucket || !key) continue;
    out.push({
      bucket,
      key: decodeS3Key(key),
      versionId: str(object?.versionId),
      etag: str(object?.eTag),
      size: typeof object?.size === 'number' ? object.size : undefined,
      region: str(r.awsRegion),
      eventTime: time(r.eventTime, now),
    });
  }
  return out;
}

/** An EventBridge "Object Created" event: its key is not URL-encoded. */
function fromEventBridge(e: Obj, now: number): ObjectRef[] {
  const d = isObj(e.detail) ? e.detail : {};
  const bucket = isObj(d.bucket) ? str(d.bucket.name) : undefined;
  const object = isObj(d.object) ? d.object : undefined;
  const key = str(object?.key);
  if (!bucket || !key) return [];
  return [
    {
      bucket,
      key,
      versionId: str(object?.['version-id']),
      etag: str(object?.etag),
      size: typeof object?.size === 'number' ? object.size : undefined,
      region: str(e.region),
      eventTime: time(e.time, now),
    },
  ];
}

function isEventBridge(v: Obj): boolean {
  return v['detail-type'] === 'Object Created' && v.source === 'aws.s3';
}

function fromResume(v: unknown): ObjectRef[] | undefined {
  if (!isObj(v) || !isObj(v.object) || !isObj(v.marker)) return undefined;
  const o = v.object as Partial<ObjectRef>;
  const m = v.marker as Partial<ResumeMarker>;
  if (typeof o.bucket !== 'string' || typeof o.key !== 'string') return undefined;
  if (typeof m.line !== 'number' || typeof m.end !== 'number') return undefined;
  return [
    {
      ...(o as ObjectRef),
      eventTime: Number(o.eventTime) || Date.now(),
      resume: m as ResumeMarker,
    },
  ];
}

/**
 * The objects an SQS message body announces: an S3 notification, the same through SNS, an
 * EventBridge event, or a resume message; `[]` for S3's `s3:TestEvent`; undefined when it is none
 * of these.
 *
 * @example
 * objectsOfBody(sqsRecord.body, Date.now())?.[0]?.key
 */
export function objectsOfBody(body: string, now: number): ObjectRef[] | undefined {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isObj(v)) return undefined;
  if (v.Type === 'Notification' && typeof v.Message === 'string')
    return objectsOfBody(v.Message, now);
  if (RESUME_KEY in v) return fromResume(v[RESUME_KEY]);
  if (v.Event === 's3:TestEvent') return [];
  if (isEventBridge(v)) return fromEventBridge(v, now);
  if (Array.isArray(v.Records)) return fromS3Records(v.Records, now);
  return undefined;
}

/**
 * Splits a Lambda event into delivery units: one per SQS message (`messageId`, for
 * `batchItemFailures`), one per record of a direct S3 event, one for an EventBridge event.
 *
 * @example
 * const { trigger, deliveries } = s3Deliveries(sqsEvent);
 * deliveries[0].objects[0].key // 'AWSLogs/123456789012/elasticloadbalancing/…'
 */
export function s3Deliveries(
  event: unknown,
  now = Date.now(),
): { trigger: S3Trigger; deliveries: Delivery[] } {
  const v = isObj(event) ? event : {};
  if (isEventBridge(v)) {
    const id = str(v.id) ?? 'eventbridge';
    return {
      trigger: 'eventbridge',
      deliveries: [{ recordId: id, objects: fromEventBridge(v, now) }],
    };
  }
  const records = Array.isArray(v.Records) ? v.Records : [];
  if (records.some((r) => isObj(r) && r.eventSource === 'aws:sqs')) {
    const deliveries = records.map((r, i): Delivery => {
      const rec = isObj(r) ? r : {};
      const recordId = str(rec.messageId) ?? `sqs-message-${i}`;
      const body = typeof rec.body === 'string' ? rec.body : '';
      const objects = objectsOfBody(body, now);
      return objects
        ? { recordId, objects }
        : {
            recordId,
            objects: [],
            error: 'SQS message is not an S3 or EventBridge object notification',
            raw: body,
          };
    });
    return { trigger: 'sqs', deliveries };
  }
  const deliveries = records.map((r, i): Delivery => {
    const objects = fromS3Records([r], now);
    const o = objects[0];
    return {
      recordId: o ? `s3://${o.bucket}/${o.key}#${o.versionId ?? o.etag ?? i}` : `s3-record-${i}`,
      objects,
    };
  });
  return { trigger: 's3', deliveries };
}
