// Bulk requests: index operations serialised once into NDJSON lines, packed by bytes, sent as one prebuilt body through the client.
import type { Client } from '@opensearch-project/opensearch';
import { boundedStringify } from '#shared/bounded-json.ts';
import { errorMessage } from '#shared/errors.ts';
import type { LogDocument, Routed } from '#shared/model.ts';
import { documentJson, indexJson } from '#shared/sinks/document-json.ts';
import { type BulkItemError, requestStatus } from './item-status.ts';
import { truncateForIndex } from './truncate.ts';

/** One index operation: its two NDJSON lines, the action and the document, serialised once. */
export interface BulkOperation {
  /** `{"index":{…}}`. */
  action: string;
  /** The document's JSON text (without `event.original` when the archive keeps it). */
  json: string;
  /** The document as sent (truncated or degraded copy, or the original). */
  doc: LogDocument;
  /** UTF-8 bytes of both lines with their newlines. */
  bytes: number;
}

export interface BulkItem {
  status: number;
  error?: BulkItemError;
}

export type BulkOutcome =
  | { kind: 'items'; items: BulkItem[] }
  | { kind: 'failed'; status: number; error: string };

/** What every index operation of one sink shares. */
export interface OperationOptions {
  /** `_id` = `event.id` (default); false for OpenSearch Serverless time-series collections. */
  useIds?: boolean;
  /** Leave `event.original` out of the index copy: the archive keeps the raw line (document-json.ts). */
  omitOriginal?: boolean;
}

/** The action line's head per index name: a batch writes to a handful of indices. */
const heads = new Map<string, string>();

function actionHead(index: string): string {
  let head = heads.get(index);
  if (head === undefined) {
    head = `{"index":{"_index":${JSON.stringify(index)}`;
    // A process meets few index names (one per prefix, type and day); the bound only stops a leak.
    if (heads.size >= 1000) heads.clear();
    heads.set(index, head);
  }
  return head;
}

/**
 * The operation that sends `body` (the document, or a copy of it) for a routed document, with
 * `_id` = `event.id` unless `useIds` is false.
 */
export function bulkOperation(
  item: Routed,
  body: LogDocument,
  opts: OperationOptions = {},
): BulkOperation {
  const head = actionHead(item.index);
  const action =
    opts.useIds === false ? `${head}}}` : `${head},"_id":${JSON.stringify(item.doc.event.id)}}}`;
  // An untruncated document is usually its own archive row too: one serialisation serves both.
  const json =
    body === item.doc
      ? opts.omitOriginal
        ? indexJson(body)
        : documentJson(body)
      : boundedStringify(body);
  return {
    action,
    json,
    doc: body,
    bytes: Buffer.byteLength(action) + Buffer.byteLength(json) + 2,
  };
}

/** The operation of a routed document, truncated for the index when some string is too long. */
export function indexOperation(
  item: Routed,
  maxFieldBytes: number,
  opts: OperationOptions = {},
): BulkOperation {
  // No string in a document is longer than its JSON text, and n UTF-16 units are at most 3n UTF-8
  // bytes: a short text proves every string fits without walking the document.
  const fits = documentJson(item.doc).length * 3 <= maxFieldBytes;
  return bulkOperation(item, fits ? item.doc : truncateForIndex(item.doc, maxFieldBytes), opts);
}

/** Packs operation positions into bulks of at most `maxBytes` (a larger operation goes alone). */
export function pack(
  positions: readonly number[],
  ops: readonly BulkOperation[],
  maxBytes: number,
): number[][] {
  const chunks: number[][] = [];
  let chunk: number[] = [];
  let bytes = 0;
  for (const i of positions) {
    const size = ops[i]!.bytes;
    if (chunk.length > 0 && bytes + size > maxBytes) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(i);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

interface BulkAnswer {
  errors?: boolean;
  items?: Record<string, { status?: number; error?: BulkItemError } | undefined>[];
}

/** Item k's answer; an answer that names no status for it counts as none (status 0: retry). */
function itemOf(answer: BulkAnswer, k: number): BulkItem {
  const entry = answer.items?.[k];
  const result = entry && (entry.index ?? Object.values(entry)[0]);
  if (typeof result?.status !== 'number')
    return { status: 0, error: { reason: 'no answer for this item' } };
  return result.error ? { status: result.status, error: result.error } : { status: result.status };
}

/**
 * The chunk's NDJSON lines written straight into one buffer of the size the operations add up to: no
 * joined string of the whole body on the heap (a large object, ~1 KB a document) to be copied again
 * into a buffer for gzip.
 */
export function bulkBody(chunk: readonly number[], ops: readonly BulkOperation[]): Buffer {
  let bytes = 0;
  for (const i of chunk) bytes += ops[i]!.bytes;
  const body = Buffer.allocUnsafe(bytes);
  let at = 0;
  for (const i of chunk) {
    const op = ops[i]!;
    at += body.write(op.action, at);
    body[at++] = 0x0a;
    at += body.write(op.json, at);
    body[at++] = 0x0a;
  }
  return body;
}

/**
 * Sends one bulk request: the chunk's NDJSON lines as one body, which the client sends as it is
 * (gzipped by the transport, signed by SigV4 where the endpoint needs it). Items answer in request
 * order, so item k is the chunk's k-th document. Sizing, 413 splits, concurrency and retries stay with
 * the sink: the client sends exactly this chunk once.
 */
export async function sendBulk(
  client: Client,
  chunk: readonly number[],
  ops: readonly BulkOperation[],
  timeoutMs: number,
): Promise<BulkOutcome> {
  const body = bulkBody(chunk, ops);
  try {
    const { body: answer } = await client.bulk(
      // What is read of each item; the rest (ids, versions, shards) is not worth parsing.
      { body, filter_path: 'errors,items.*.status,items.*.error' } as never,
      { requestTimeout: timeoutMs, maxRetries: 0 },
    );
    const a = answer as BulkAnswer;
    // No item failed: nothing to read per item.
    if (a.errors === false && a.items?.length === chunk.length)
      return { kind: 'items', items: chunk.map(() => ({ status: 200 })) };
    return { kind: 'items', items: chunk.map((_, k) => itemOf(a, k)) };
  } catch (err) {
    return { kind: 'failed', status: requestStatus(err), error: errorMessage(err) };
  }
}
