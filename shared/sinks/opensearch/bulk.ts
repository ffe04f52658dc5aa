// Bulk requests: index operations serialised once, packed by bytes, and sent through the client's bulk helper.
import type { Client } from '@opensearch-project/opensearch';
import { errorMessage } from '#shared/errors.ts';
import type { LogDocument, Routed } from '#shared/model.ts';
import { documentJson } from '#shared/sinks/document-json.ts';
import { type BulkItemError, requestStatus } from './item-status.ts';
import { truncateForIndex } from './truncate.ts';

/** One index operation: the action, and the document serialised once (the helper sends strings as they are). */
export interface BulkOperation {
  action: { index: { _index: string; _id?: string } };
  body: string;
  /** The document as sent (truncated or degraded copy, or the original). */
  doc: LogDocument;
  /** Bytes of the action and body lines in the NDJSON body. */
  bytes: number;
}

export interface BulkItem {
  status: number;
  error?: BulkItemError;
}

export type BulkOutcome =
  | { kind: 'items'; items: BulkItem[] }
  | { kind: 'failed'; status: number; error: string };

/**
 * The operation that sends `body` (the document, or a copy of it) for a routed document, with
 * `_id` = `event.id` unless `useIds` is false.
 */
export function bulkOperation(item: Routed, body: LogDocument, useIds = true): BulkOperation {
  const action = useIds ? { _index: item.index, _id: item.doc.event.id } : { _index: item.index };
  // An untruncated document is usually its own archive row too: one serialisation serves both.
  const json = body === item.doc ? documentJson(body) : JSON.stringify(body);
  const op = { action: { index: action }, body: json, doc: body };
  return {
    ...op,
    bytes: Buffer.byteLength(JSON.stringify(op.action)) + Buffer.byteLength(json) + 2,
  };
}

/** The operation of a routed document, truncated for the index when some string is too long. */
export function indexOperation(item: Routed, maxFieldBytes: number, useIds = true): BulkOperation {
  // No string in a document is longer than its JSON text, and n UTF-16 units are at most 3n UTF-8
  // bytes: a short text proves every string fits without walking the document.
  const fits = documentJson(item.doc).length * 3 <= maxFieldBytes;
  return bulkOperation(item, fits ? item.doc : truncateForIndex(item.doc, maxFieldBytes), useIds);
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

/** Index and event id: present in every operation, with or without `_id`, and in every degraded copy. */
function dropKey(index: string | undefined, doc: unknown): string {
  const id = (doc as { event?: { id?: unknown } } | null)?.event?.id;
  return `${index ?? ''}\u0000${String(id)}`;
}

/**
 * Sends one bulk request through the client's bulk helper. The helper serialises the request, checks every
 * item and reports the failed ones to `onDrop`; sizing, 413 splits, concurrency and retries stay with the
 * sink, so the helper sends exactly this chunk once (`retries: 0`, one flush at the end).
 */
export async function sendBulk(
  client: Client,
  chunk: readonly number[],
  ops: readonly BulkOperation[],
  timeoutMs: number,
): Promise<BulkOutcome> {
  // Built on the first failed item only: most bulks have none.
  let positions: Map<string, number[]> | undefined;
  const positionsOf = (key: string): number[] => {
    if (!positions) {
      positions = new Map();
      chunk.forEach((i, k) => {
        const opKey = dropKey(ops[i]!.action.index._index, ops[i]!.doc);
        const list = positions!.get(opKey);
        if (list) list.push(k);
        else positions!.set(opKey, [k]);
      });
    }
    return positions.get(key) ?? [];
  };
  const items: BulkItem[] = chunk.map(() => ({ status: 200 }));
  try {
    await client.helpers.bulk<number>(
      {
        datasource: [...chunk],
        onDocument: (i) => [ops[i]!.action, ops[i]!.body as unknown as Record<string, unknown>],
        flushBytes: Number.MAX_SAFE_INTEGER,
        flushInterval: 3_600_000,
        concurrency: 1,
        retries: 0,
        // What the helper reads of each item; the rest (ids, versions, shards) is not worth parsing.
        filter_path: 'errors,items.*.status,items.*.error',
        onDrop: (drop) => {
          const op = (drop.operation as { index?: { _index?: string } }).index;
          const item: BulkItem = { status: drop.status, error: drop.error as BulkItemError };
          for (const k of positionsOf(dropKey(op?._index, drop.document))) items[k] = item;
        },
      },
      { requestTimeout: timeoutMs, maxRetries: 0 },
    );
    return { kind: 'items', items };
  } catch (err) {
    return { kind: 'failed', status: requestStatus(err), error: errorMessage(err) };
  }
}
