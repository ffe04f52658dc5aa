// The OpenSearch sink: bulk-indexes with the client's bulk helper, checks every item, retries only what may pass.
import type { Client } from '@opensearch-project/opensearch';
import type { OnDropDocument } from '@opensearch-project/opensearch/lib/Helpers.js';
import { errorMessage } from '#shared/errors.ts';
import type { Routed } from '#shared/model.ts';
import { truncateForIndex } from '#shared/pipeline/truncate.ts';
import { backoffDelay, isRetryableStatus, sleep } from './retry.ts';
import type { IndexResult, IndexSink } from './types.ts';

export interface OpenSearchSinkOptions {
  client: Client;
  /** Bulk body size before compression (DESIGN.md §6: default 5 MiB, at most 9 MiB). */
  bulkBytes: number;
  concurrency: number;
  /** Longest string kept in the index copy. */
  maxFieldBytes: number;
  backoff?: { baseMs: number; maxMs: number };
  /** Called after each attempt, for logs and metrics. */
  onAttempt?: (info: { attempt: number; sent: number; retry: number; rejected: number; error?: string }) => void;
}

type Drop = OnDropDocument<number>;

/** Status of a request-level failure from the client: 0 when nothing answered. */
function requestStatus(err: unknown): number {
  const status = (err as { meta?: { statusCode?: number } }).meta?.statusCode;
  return typeof status === 'number' ? status : 0;
}

function describe(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { type?: string; reason?: string; caused_by?: { reason?: string } };
    const parts = [e.type, e.reason, e.caused_by?.reason].filter(Boolean);
    if (parts.length) return parts.join(': ');
  }
  return errorMessage(error);
}

/**
 * Indexes routed documents with `_id` = `event.id`, so a redelivered batch overwrites instead of duplicating.
 * Only failed items are sent again, with backoff, until they succeed or the deadline comes.
 *
 * @example
 * const sink = createOpenSearchSink({ client, bulkBytes: 5 << 20, concurrency: 2, maxFieldBytes: 32766 });
 * const results = await sink.index(routed, Date.now() + 30_000);
 */
export function createOpenSearchSink(opts: OpenSearchSinkOptions): IndexSink {
  const backoff = opts.backoff ?? { baseMs: 200, maxMs: 5000 };
  return {
    async index(items: readonly Routed[], deadline: number): Promise<IndexResult[]> {
      const results: IndexResult[] = items.map(() => ({ status: 'retry', error: 'not attempted before the deadline' }));
      const bodies = items.map((item) => truncateForIndex(item.doc, opts.maxFieldBytes));
      // Items are found again from the helper's drop callback by index and id.
      const position = new Map<string, number[]>();
      items.forEach((item, i) => {
        const key = `${item.index}\u0000${item.doc.event.id}`;
        const list = position.get(key);
        if (list) list.push(i);
        else position.set(key, [i]);
      });

      let pending = items.map((_, i) => i);
      for (let attempt = 0; pending.length > 0; attempt++) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) break;
        const dropped = new Map<number, Drop>();
        let requestError: unknown;
        try {
          await opts.client.helpers.bulk(
            {
              datasource: pending,
              onDocument: (i: number) => [
                { index: { _index: items[i]!.index, _id: items[i]!.doc.event.id } },
                bodies[i],
              ],
              flushBytes: opts.bulkBytes,
              concurrency: opts.concurrency,
              retries: 0,
              flushInterval: 3_600_000,
              onDrop: (drop: Drop) => {
                const op = (drop.operation as { index?: { _index?: string; _id?: string } }).index;
                const list = op ? position.get(`${op._index}\u0000${op._id}`) : undefined;
                for (const i of list ?? []) dropped.set(i, drop);
              },
            },
            { requestTimeout: Math.max(1000, remaining), maxRetries: 0 },
          );
        } catch (err) {
          requestError = err;
        }

        const next: number[] = [];
        let rejected = 0;
        if (requestError !== undefined) {
          // The helper cannot say which bulks landed before the failure; ids make resending them harmless.
          const status = requestStatus(requestError);
          const error = `bulk request failed${status ? ` (HTTP ${status})` : ''}: ${errorMessage(requestError)}`;
          for (const i of pending) {
            results[i] = { status: 'retry', error };
            next.push(i);
          }
        } else {
          for (const i of pending) {
            const drop = dropped.get(i);
            if (!drop) results[i] = { status: 'indexed' };
            else if (isRetryableStatus(drop.status)) {
              results[i] = { status: 'retry', error: `HTTP ${drop.status}: ${describe(drop.error)}` };
              next.push(i);
            } else {
              results[i] = { status: 'rejected', error: describe(drop.error), statusCode: drop.status };
              rejected++;
            }
          }
        }
        opts.onAttempt?.({
          attempt,
          sent: pending.length,
          retry: next.length,
          rejected,
          error: requestError === undefined ? undefined : errorMessage(requestError),
        });
        pending = next;
        if (pending.length === 0) break;
        const delay = backoffDelay(attempt, backoff);
        if (Date.now() + delay >= deadline) break;
        await sleep(delay);
      }
      return results;
    },
  };
}
