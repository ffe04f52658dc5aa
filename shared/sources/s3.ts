import type { ObjectStore, ResumeQueue } from '#shared/clients/s3-objects.ts';
import type { Config } from '#shared/config/schema.ts';
import { type ObjectItem, readObject } from '#shared/decode/s3-object.ts';
import type { Enricher } from '#shared/enrich/enrich.ts';
import { DecodeError, errorMessage, ObjectReadError } from '#shared/errors.ts';
import { headerLine, layoutFromKey, layoutFromLine } from '#shared/parse/aws/detect.ts';
import { alertDelivered, type RejectedRecord } from '#shared/pipeline/deliver.ts';
import type { BatchReport } from '#shared/pipeline/outcome.ts';
import { createSliceDelivery, SLICE_TEXT } from '#shared/pipeline/slices.ts';
import type { Sinks } from '#shared/sinks/types.ts';
import { deadLetterSource, s3EventId, sourceOf } from './s3-lines.ts';
import {
  type ObjectRef,
  type ResumeMarker,
  resumeMessage,
  type S3Trigger,
  s3Deliveries,
} from './s3-notifications.ts';

export interface S3IngestDeps {
  config: Config;
  sinks: Sinks;
  objects: ObjectStore;
  /** The function's own queue, for objects left unfinished when time runs out; without it they are retried. */
  resume?: ResumeQueue;
  now?: () => number;
  /** Most log text a slice holds (default SLICE_TEXT, as for Kinesis). */
  sliceText?: number;
  /** Longest line (CloudTrail record) read; a longer one is dead-lettered by size (default 1 MiB). */
  maxLineBytes?: number;
  /** Time kept back before the deadline for the slices in flight and the resume messages (default 10 s). */
  reserveMs?: number;
  /** The enrichment logferry.yml enables (user agents, GeoIP of client addresses). */
  enrich?: Enricher;
}

export interface S3IngestResult {
  trigger: S3Trigger;
  report: BatchReport;
  /** Record ids of the batch's messages, in order (SQS message ids), for `sqsResponse`. */
  messageIds: string[];
  messages: number;
  objects: { read: number; skipped: number; resumed: number; lines: number };
}

/**
 * Ingests the objects a batch of notifications announces. Each object streams through
 * `readObject`; its lines join slices of at most `sliceText` of log text, delivered as they fill
 * (one slice may be in the sinks while the next is read), so memory follows the slice, not the
 * object. A corrupt object is dead-lettered with its reason and the line reached (the lines before
 * it stay delivered) and its message acknowledged; a failed download or sink failure makes the
 * message one to retry. When the deadline comes near, the object being read (and those not begun)
 * go back to the queue as resume messages carrying where to go on. Alerts run once, at the end.
 *
 * @example
 * const { report, messageIds } = await ingestS3(sqsEvent, { config, sinks, objects, resume }, deadline);
 * return sqsResponse(messageIds, report);
 */
export async function ingestS3(
  event: unknown,
  deps: S3IngestDeps,
  deadline: number,
): Promise<S3IngestResult> {
  const now = deps.now ?? Date.now;
  const { trigger, deliveries } = s3Deliveries(event, now());
  const sliceText = deps.sliceText ?? SLICE_TEXT;
  const maxLineBytes = deps.maxLineBytes ?? 1024 * 1024;
  const stopAt = deadline - (deps.reserveMs ?? 10_000);
  const counts = { read: 0, skipped: 0, resumed: 0, lines: 0 };
  const retry = new Map<string, string>();
  const unfinished: { recordId: string; ref: ObjectRef; marker: ResumeMarker }[] = [];
  const slices = createSliceDelivery(deps, deadline, now);
  const reject = (r: RejectedRecord) => slices.add([], [r], 0);

  /** Reads one object into the slices; returns where it stopped when time ran out. */
  const readOne = async (recordId: string, ref: ObjectRef): Promise<ResumeMarker | undefined> => {
    // A resume message for an object not begun (line 0) reads it as new.
    const from = ref.resume?.line ? ref.resume : undefined;
    const layout = from ? { dataset: from.dataset, records: from.records } : layoutFromKey(ref.key);
    if ('skip' in layout && layout.skip) {
      counts.skipped++;
      return undefined;
    }
    counts.read++;
    if (from) counts.resumed++;
    const ranged = from && !from.gzip ? from.end : undefined;
    const { body, etag } = await deps.objects.get(ref, ranged);
    const pinned: ObjectRef =
      ref.versionId || ref.etag ? ref : { ...ref, etag: etag?.replace(/"/g, '') };
    let dataset = layout.dataset;
    let source = sourceOf(pinned, dataset, from?.fields);
    let sniff = dataset === undefined && !from;
    let gzip = false;
    let records = layout.records === true;
    let last: ObjectItem | undefined;
    const items = readObject(body, {
      maxLineBytes,
      records: layout.records ?? (from ? false : 'auto'),
      afterLine: from?.line,
      bodyOffset: ranged,
      onStart: (info) => {
        gzip = info.gzip;
        records = info.records;
      },
    });
    for await (const batch of items) {
      for (const item of batch) {
        last = item;
        counts.lines++;
        if (item.text === undefined) {
          reject({
            recordId,
            error: `line ${item.line} of s3://${ref.bucket}/${ref.key} is ${item.bytes} bytes, over the ${maxLineBytes}-byte limit`,
            reason: 'decode_too_large',
            raw: '',
            source: deadLetterSource(pinned, item.line),
          });
          continue;
        }
        if (sniff) {
          sniff = false;
          dataset = records ? 'aws.cloudtrail' : layoutFromLine(item.text, source).dataset;
          if (dataset) source = sourceOf(pinned, dataset);
        }
        const header = headerLine(dataset, item.text);
        if (header) {
          if (header.fields) source = sourceOf(pinned, dataset, header.fields);
          continue;
        }
        const event = {
          id: s3EventId(pinned, item.line),
          timestamp: ref.eventTime,
          message: item.text,
          source,
          recordId,
        };
        slices.add([event], [], item.text.length);
        if (slices.pending.text >= sliceText) await slices.deliver();
      }
      if (now() >= stopAt && last) {
        await items.return(undefined);
        return {
          line: last.line,
          end: last.end,
          gzip,
          dataset,
          records,
          fields: source.s3?.fields ? [...source.s3.fields] : undefined,
        };
      }
    }
    return undefined;
  };

  for (const d of deliveries) {
    if (d.error) {
      reject({
        recordId: d.recordId,
        error: d.error,
        reason: 'decode_shape',
        raw: d.raw ?? '',
        source: { trigger },
      });
      continue;
    }
    for (const ref of d.objects) {
      if (now() >= stopAt) {
        unfinished.push({
          recordId: d.recordId,
          ref,
          marker: ref.resume ?? { line: 0, end: 0, gzip: true },
        });
        continue;
      }
      try {
        const marker = await readOne(d.recordId, ref);
        if (marker) unfinished.push({ recordId: d.recordId, ref, marker });
      } catch (err) {
        if (err instanceof ObjectReadError && err.failure === 'superseded') continue;
        if (err instanceof DecodeError || err instanceof ObjectReadError) {
          const reason = err instanceof DecodeError ? `decode_${err.reason}` : 'object_missing';
          reject({
            recordId: d.recordId,
            error: `s3://${ref.bucket}/${ref.key}: ${err.message}`,
            reason,
            raw: JSON.stringify({
              bucket: ref.bucket,
              key: ref.key,
              versionId: ref.versionId,
              etag: ref.etag,
            }),
            source: deadLetterSource(ref),
          });
        } else retry.set(d.recordId, `s3://${ref.bucket}/${ref.key}: ${errorMessage(err)}`);
      }
    }
  }
  const { report, delivered } = await slices.finish();
  for (const [id, error] of retry) {
    report.outcomes.set(id, 'retry');
    if (!report.errors.includes(error)) report.errors.push(error);
  }
  for (const u of unfinished) {
    if (report.outcomes.get(u.recordId) === 'retry') continue;
    try {
      if (!deps.resume) throw new Error('no resume queue: the message is retried from the start');
      await deps.resume.send(resumeMessage(u.ref, u.marker));
    } catch (err) {
      report.outcomes.set(u.recordId, 'retry');
      report.errors.push(`resume s3://${u.ref.bucket}/${u.ref.key}: ${errorMessage(err)}`);
    }
  }
  await alertDelivered(report, delivered, deps, deadline);
  return {
    trigger,
    report,
    messageIds: deliveries.map((d) => d.recordId),
    messages: deliveries.length,
    objects: counts,
  };
}
