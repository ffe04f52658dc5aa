// The OpenSearch sink: byte-sized bulk requests, per-item checks, deadline-aware retries of what may still pass.
import type { Client } from '@opensearch-project/opensearch';
import { errorMessage } from '#shared/errors.ts';
import type { LogDocument, Routed } from '#shared/model.ts';
import { backoffDelay, isRetryableStatus, sleep } from '#shared/retry.ts';
import { documentJson } from '#shared/sinks/document-json.ts';
import { truncateForIndex } from '#shared/sinks/opensearch/truncate.ts';
import type { IndexResult, IndexSink } from '#shared/sinks/types.ts';
import { degradeDocument, isMappingError } from './degrade.ts';

export interface OpenSearchSinkOptions {
  client: Client;
  /** Bulk body size before compression (DESIGN.md §6: default 5 MiB, at most 9 MiB). */
  bulkBytes: number;
  /** Bulk requests in flight at once; halved on every 429, grown back one by one after a clean round. */
  concurrency: number;
  /** Longest string kept in the index copy. */
  maxFieldBytes: number;
  backoff?: { baseMs: number; maxMs: number };
  /** Re-index documents rejected for their mapping in a degraded form (on by default; redrive turns it off). */
  degradeOnMappingError?: boolean;
  /** Called after each round, for logs, metrics and tests. */
  onAttempt?: (info: AttemptInfo) => void;
  /** `_id` = `event.id` (default); false for OpenSearch Serverless time-series collections, which refuse ids. */
  useIds?: boolean;
}

export interface AttemptInfo {
  attempt: number;
  sent: number;
  requests: number;
  retry: number;
  rejected: number;
  degraded: number;
  /** Requests answered 413 (split in two and sent again) and 429 (throttled). */
  tooLarge: number;
  throttled: number;
  concurrency: number;
  bulkBytes: number;
  error?: string;
}

/** Less time than this before the deadline is not worth a request. */
const MIN_REQUEST_MS = 100;

/** Smallest bulk a 413 may shrink us to; below it single documents go alone. */
const MIN_BULK_BYTES = 1024;

interface BulkItemError {
  type?: string;
  reason?: string;
  caused_by?: { type?: string; reason?: string };
}

interface BulkItem {
  status: number;
  error?: BulkItemError;
}

/** Status of a request-level failure from the client: 0 when nothing answered. */
function requestStatus(err: unknown): number {
  const status = (err as { meta?: { statusCode?: number } }).meta?.statusCode;
  return typeof status === 'number' ? status : 0;
}

function describe(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as BulkItemError;
    const parts = [e.type, e.reason, e.caused_by?.reason].filter(Boolean);
    if (parts.length) return parts.join(': ');
  }
  return errorMessage(error);
}

/** Packs document positions into bulks of at most `maxBytes` (a larger document goes alone). */
function pack(
  positions: readonly number[],
  sizes: readonly number[],
  maxBytes: number,
): number[][] {
  const chunks: number[][] = [];
  let chunk: number[] = [];
  let bytes = 0;
  for (const i of positions) {
    const size = sizes[i]!;
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

/**
 * Indexes routed documents with `_id` = `event.id`, so a redelivered batch overwrites instead of duplicating.
 * Only failed items are sent again: 429/5xx/no answer with exponential backoff and jitter (429 also halves
 * the bulks in flight) until the deadline; a 413 splits the bulk in two at once; a document refused for
 * its mapping is sent again in a degraded form; any other 4xx is final.
 *
 * @example
 * const sink = createOpenSearchSink({ client, bulkBytes: 5 << 20, concurrency: 2, maxFieldBytes: 32766 });
 * const results = await sink.index(routed, Date.now() + 30_000);
 */
export function createOpenSearchSink(opts: OpenSearchSinkOptions): IndexSink {
  const backoff = opts.backoff ?? { baseMs: 200, maxMs: 5000 };
  const degrade = opts.degradeOnMappingError ?? true;
  // Learnt across calls (one sink per cold start): a cluster that answered 413 or 429 to the last
  // batch will most likely do so again, so the next batch starts where this one left off.
  let bulkBytes = opts.bulkBytes;
  let concurrency = opts.concurrency;
  return {
    async index(items: readonly Routed[], deadline: number): Promise<IndexResult[]> {
      const results: IndexResult[] = items.map(() => ({
        status: 'retry',
        error: 'not attempted before the deadline',
      }));
      const ops = items.map((item) => indexOperation(item, opts.maxFieldBytes, opts.useIds));
      const sizes = ops.map(operationBytes);
      /** Why a document was degraded; its original must go to the dead-letter prefix. */
      const degradedBy = new Map<number, { error: string; statusCode: number; whole: boolean }>();
      let pending = items.map((_, i) => i);
      let backoffAttempt = 0;

      for (let attempt = 0; pending.length > 0; attempt++) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) break;
        const chunks = pack(pending, sizes, bulkBytes);
        const next: number[] = [];
        const round = {
          rejected: 0,
          degraded: 0,
          tooLarge: 0,
          throttled: 0,
          transient: 0,
          error: undefined as string | undefined,
        };
        let cursor = 0;
        // The first 429 of a round halves the bulks in flight at once; a clean round adds one back.
        const throttle = () => {
          if (round.throttled++ === 0) concurrency = Math.max(1, Math.floor(concurrency / 2));
        };
        const worker = async (slot: number): Promise<void> => {
          // A worker whose slot is above the (possibly halved) concurrency stops taking bulks.
          while (slot < concurrency && cursor < chunks.length) {
            // A bulk never outlives the deadline: what is not sent by then stays `retry`.
            const left = deadline - Date.now();
            if (left < MIN_REQUEST_MS) return;
            const chunk = chunks[cursor++]!;
            const outcome = await sendBulk(opts.client, chunk, ops, left);
            if (outcome.kind === 'items') {
              outcome.items.forEach((item, k) => {
                const i = chunk[k]!;
                if (item.status >= 200 && item.status < 300) {
                  const why = degradedBy.get(i);
                  results[i] = why
                    ? { status: 'degraded', error: why.error, statusCode: why.statusCode }
                    : { status: 'indexed' };
                } else if (isRetryableStatus(item.status)) {
                  results[i] = {
                    status: 'retry',
                    error: `HTTP ${item.status}: ${describe(item.error)}`,
                  };
                  if (item.status === 429) throttle();
                  else round.transient++;
                  next.push(i);
                } else if (degrade && isMappingError(item.error) && !degradedBy.get(i)?.whole) {
                  // Sent again at once as a degraded copy: no document is lost to a mapping conflict. If
                  // the first copy (offending field moved) still conflicts, every non-core field moves.
                  const prev = degradedBy.get(i);
                  const error = describe(item.error);
                  degradedBy.set(i, {
                    error: prev ? `${prev.error}; then ${error}` : error,
                    statusCode: prev?.statusCode ?? item.status,
                    whole: prev !== undefined,
                  });
                  const copy = degradeDocument(
                    items[i]!.doc,
                    item.error,
                    items[i]!.raw,
                    prev !== undefined,
                  );
                  ops[i] = bulkOperation(
                    items[i]!,
                    truncateForIndex(copy, opts.maxFieldBytes),
                    opts.useIds,
                  );
                  sizes[i] = operationBytes(ops[i]!);
                  results[i] = {
                    status: 'retry',
                    error: `mapping conflict; degraded copy not indexed yet: ${error}`,
                  };
                  round.degraded++;
                  next.push(i);
                } else {
                  const first = degradedBy.get(i);
                  results[i] = {
                    status: 'rejected',
                    error: first
                      ? `${first.error}; degraded copy refused too: ${describe(item.error)}`
                      : describe(item.error),
                    statusCode: item.status,
                  };
                  round.rejected++;
                }
              });
              continue;
            }
            const { status, error } = outcome;
            if (status === 413 && chunk.length > 1) {
              // Too large for the cluster's http.max_content_length: halve the bulks and send again.
              round.tooLarge++;
              const chunkBytes = chunk.reduce((sum, i) => sum + sizes[i]!, 0);
              bulkBytes = Math.max(MIN_BULK_BYTES, Math.min(bulkBytes, Math.floor(chunkBytes / 2)));
              const half = Math.ceil(chunk.length / 2);
              chunks.push(chunk.slice(0, half), chunk.slice(half));
              continue;
            }
            if (status === 413 || !isRetryableStatus(status)) {
              for (const i of chunk) {
                results[i] = {
                  status: 'rejected',
                  error: `bulk request refused (HTTP ${status}): ${error}`,
                  statusCode: status,
                };
              }
              round.rejected += chunk.length;
              continue;
            }
            // The request failed as a whole; which of its items landed is unknown, and ids make resending harmless.
            if (status === 429) throttle();
            else round.transient++;
            round.error = error;
            for (const i of chunk) {
              results[i] = {
                status: 'retry',
                error: `bulk request failed${status ? ` (HTTP ${status})` : ''}: ${error}`,
              };
              next.push(i);
            }
          }
        };
        await Promise.all(
          Array.from({ length: Math.min(concurrency, chunks.length) }, (_, slot) => worker(slot)),
        );
        if (round.throttled === 0 && concurrency < opts.concurrency) concurrency++;

        opts.onAttempt?.({
          attempt,
          sent: pending.length,
          requests: chunks.length,
          retry: next.length,
          rejected: round.rejected,
          degraded: round.degraded,
          tooLarge: round.tooLarge,
          throttled: round.throttled,
          concurrency,
          bulkBytes,
          error: round.error,
        });
        // Batch order first: Lambda checkpoints only up to the first record still failing.
        pending = next.sort((a, b) => a - b);
        if (pending.length === 0) break;
        // Degraded copies go again at once; transient failures wait, longer each time, with jitter.
        if (round.throttled + round.transient === 0) continue;
        const delay = backoffDelay(backoffAttempt++, backoff);
        if (Date.now() + delay >= deadline) break;
        await sleep(delay);
      }
      return results;
    },
  };
}

/** One index operation: the action, and the document serialised once (the helper sends strings as they are). */
interface BulkOperation {
  action: { index: { _index: string; _id?: string } };
  body: string;
  /** The document as sent (truncated or degraded copy, or the original). */
  doc: LogDocument;
}

function bulkOperation(item: Routed, body: LogDocument, useIds = true): BulkOperation {
  const action = useIds ? { _index: item.index, _id: item.doc.event.id } : { _index: item.index };
  // An untruncated document is usually its own archive row too: one serialisation serves both.
  const json = body === item.doc ? documentJson(body) : JSON.stringify(body);
  return { action: { index: action }, body: json, doc: body };
}

/** The operation of a routed document, truncated for the index when some string is too long. */
function indexOperation(item: Routed, maxFieldBytes: number, useIds = true): BulkOperation {
  // No string in a document is longer than its JSON text, and n UTF-16 units are at most 3n UTF-8
  // bytes: a short text proves every string fits without walking the document.
  const fits = documentJson(item.doc).length * 3 <= maxFieldBytes;
  return bulkOperation(item, fits ? item.doc : truncateForIndex(item.doc, maxFieldBytes), useIds);
}

/** Index and event id: present in every operation, with or without `_id`, and in every degraded copy. */
function dropKey(index: string | undefined, doc: unknown): string {
  const id = (doc as { event?: { id?: unknown } } | null)?.event?.id;
  return `${index ?? ''}\u0000${String(id)}`;
}

function operationBytes(op: BulkOperation): number {
  return Buffer.byteLength(JSON.stringify(op.action)) + Buffer.byteLength(op.body) + 2;
}

type BulkOutcome =
  | { kind: 'items'; items: BulkItem[] }
  | { kind: 'failed'; status: number; error: string };

/**
 * Sends one bulk request through the client's bulk helper. The helper serialises the request, checks every
 * item and reports the failed ones to `onDrop`; sizing, 413 splits, concurrency and retries stay with the
 * sink, so the helper sends exactly this chunk once (`retries: 0`, one flush at the end).
 */
async function sendBulk(
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
