// The OpenSearch sink: rounds of byte-sized bulk requests until every document has its answer or the deadline comes.
import type { Client } from '@opensearch-project/opensearch';
import type { Routed } from '#shared/model.ts';
import { backoffDelay, sleep } from '#shared/retry.ts';
import type { IndexResult, IndexSink } from '#shared/sinks/types.ts';
import {
  type BulkItem,
  type BulkOperation,
  bulkOperation,
  indexOperation,
  pack,
  sendBulk,
} from './bulk.ts';
import { degradeDocument } from './degrade.ts';
import {
  type DegradeStage,
  describeItemError,
  itemVerdict,
  requestVerdict,
} from './item-status.ts';
import { truncateForIndex } from './truncate.ts';

export interface OpenSearchSinkOptions {
  client: Client;
  /** Bulk body size before compression (default 5 MiB, at most 9 MiB: docs/architecture.md). */
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
  /**
   * Leave `event.original` out of the index copy (a degraded copy keeps it): the raw line is in the
   * archive, and every field the parser found in it is in the document already.
   */
  omitOriginal?: boolean;
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

/** Results most documents share, one object for all (nothing writes into a result). */
const INDEXED: IndexResult = Object.freeze({ status: 'indexed' });
const NOT_ATTEMPTED: IndexResult = Object.freeze({
  status: 'retry',
  error: 'not attempted before the deadline',
});

/** Less time than this before the deadline is not worth a request. */
const MIN_REQUEST_MS = 100;

/** Smallest bulk a 413 may shrink us to; below it single documents go alone. */
const MIN_BULK_BYTES = 1024;

/** One `index` call: each document's operation, latest answer and degrade history. */
interface Call {
  items: readonly Routed[];
  ops: BulkOperation[];
  results: IndexResult[];
  stage: DegradeStage[];
  /** Why a document was degraded (its original goes to the dead-letter prefix), by position. */
  degradedBy: Map<number, { error: string; statusCode: number }>;
}

/** What one round of requests came to, and the documents it leaves for the next. */
interface Round {
  next: number[];
  chunks: number[][];
  rejected: number;
  degraded: number;
  tooLarge: number;
  throttled: number;
  transient: number;
  error?: string;
}

/** Records the per-item answers of one bulk. */
function applyItems(
  call: Call,
  round: Round,
  chunk: readonly number[],
  items: readonly BulkItem[],
  opts: { degrade: boolean; maxFieldBytes: number; useIds?: boolean; throttle: () => void },
): void {
  items.forEach((item, k) => {
    const i = chunk[k]!;
    const verdict = itemVerdict(item.status, item.error, call.stage[i]!, opts.degrade);
    const why = call.degradedBy.get(i);
    switch (verdict.kind) {
      case 'indexed':
        call.results[i] = why ? { status: 'degraded', ...why } : INDEXED;
        return;
      case 'retry':
        call.results[i] = {
          status: 'retry',
          error: `HTTP ${item.status}: ${describeItemError(item.error)}`,
        };
        if (verdict.throttled) opts.throttle();
        else round.transient++;
        round.next.push(i);
        return;
      case 'degrade': {
        // Sent again at once as a degraded copy: if the first copy (offending field moved) still
        // conflicts, every non-core field moves.
        const error = describeItemError(item.error);
        call.degradedBy.set(i, {
          error: why ? `${why.error}; then ${error}` : error,
          statusCode: why?.statusCode ?? item.status,
        });
        call.stage[i] = verdict.whole ? 'whole' : 'field';
        const doc = call.items[i]!;
        const copy = degradeDocument(doc.doc, item.error, doc.raw, verdict.whole);
        call.ops[i] = bulkOperation(doc, truncateForIndex(copy, opts.maxFieldBytes), {
          useIds: opts.useIds,
        });
        call.results[i] = {
          status: 'retry',
          error: `mapping conflict; degraded copy not indexed yet: ${error}`,
        };
        round.degraded++;
        round.next.push(i);
        return;
      }
      case 'rejected':
        call.results[i] = {
          status: 'rejected',
          error: why
            ? `${why.error}; degraded copy refused too: ${describeItemError(item.error)}`
            : describeItemError(item.error),
          statusCode: item.status,
        };
        round.rejected++;
    }
  });
}

/**
 * Indexes routed documents with `_id` = `event.id`, so a redelivered batch overwrites instead of duplicating.
 * Only failed items are sent again (item-status.ts states the rule): 429/5xx/no answer with exponential
 * backoff and jitter (429 also halves the bulks in flight) until the deadline; a 413 splits the bulk in
 * two at once; a document refused for its mapping is sent again in a degraded form; any other 4xx is final.
 *
 * @example
 * const sink = createOpenSearchSink({ client, bulkBytes: 5 << 20, concurrency: 2, maxFieldBytes: 32766 });
 * const results = await sink.index(routed, Date.now() + 30_000);
 */
export function createOpenSearchSink(opts: OpenSearchSinkOptions): IndexSink {
  const backoff = opts.backoff ?? { baseMs: 200, maxMs: 5000 };
  const degrade = opts.degradeOnMappingError ?? true;
  const operation = { useIds: opts.useIds, omitOriginal: opts.omitOriginal };
  // Learnt across calls (one sink per cold start): a cluster that answered 413 or 429 to the last
  // batch will most likely do so again, so the next batch starts where this one left off.
  let bulkBytes = opts.bulkBytes;
  let concurrency = opts.concurrency;

  /** Sends one round's bulks, `concurrency` at a time; what may still pass lands in `round.next`. */
  async function sendRound(call: Call, round: Round, deadline: number): Promise<void> {
    let cursor = 0;
    // The first 429 of a round halves the bulks in flight at once; a clean round adds one back.
    const throttle = () => {
      if (round.throttled++ === 0) concurrency = Math.max(1, Math.floor(concurrency / 2));
    };
    const itemOpts = { degrade, maxFieldBytes: opts.maxFieldBytes, useIds: opts.useIds, throttle };
    const worker = async (slot: number): Promise<void> => {
      // A worker whose slot is above the (possibly halved) concurrency stops taking bulks.
      while (slot < concurrency && cursor < round.chunks.length) {
        // A bulk never outlives the deadline: what is not sent by then stays `retry`.
        const left = deadline - Date.now();
        if (left < MIN_REQUEST_MS) return;
        const chunk = round.chunks[cursor++]!;
        const outcome = await sendBulk(opts.client, chunk, call.ops, left);
        if (outcome.kind === 'items') {
          applyItems(call, round, chunk, outcome.items, itemOpts);
          continue;
        }
        const { status, error } = outcome;
        const verdict = requestVerdict(status, chunk.length);
        if (verdict === 'split') {
          // Too large for the cluster's http.max_content_length: halve the bulks and send again.
          round.tooLarge++;
          const chunkBytes = chunk.reduce((sum, i) => sum + call.ops[i]!.bytes, 0);
          bulkBytes = Math.max(MIN_BULK_BYTES, Math.min(bulkBytes, Math.floor(chunkBytes / 2)));
          const half = Math.ceil(chunk.length / 2);
          round.chunks.push(chunk.slice(0, half), chunk.slice(half));
        } else if (verdict === 'rejected') {
          for (const i of chunk)
            call.results[i] = {
              status: 'rejected',
              error: `bulk request refused (HTTP ${status}): ${error}`,
              statusCode: status,
            };
          round.rejected += chunk.length;
        } else {
          if (status === 429) throttle();
          else round.transient++;
          round.error = error;
          for (const i of chunk) {
            call.results[i] = {
              status: 'retry',
              error: `bulk request failed${status ? ` (HTTP ${status})` : ''}: ${error}`,
            };
            round.next.push(i);
          }
        }
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(concurrency, round.chunks.length) }, (_, slot) => worker(slot)),
    );
  }

  return {
    async index(items: readonly Routed[], deadline: number): Promise<IndexResult[]> {
      const call: Call = {
        items,
        ops: items.map((item) => indexOperation(item, opts.maxFieldBytes, operation)),
        results: items.map(() => NOT_ATTEMPTED),
        stage: items.map(() => 'none'),
        degradedBy: new Map(),
      };
      let pending = items.map((_, i) => i);
      let backoffAttempt = 0;
      for (let attempt = 0; pending.length > 0 && deadline > Date.now(); attempt++) {
        const round: Round = {
          next: [],
          chunks: pack(pending, call.ops, bulkBytes),
          rejected: 0,
          degraded: 0,
          tooLarge: 0,
          throttled: 0,
          transient: 0,
        };
        await sendRound(call, round, deadline);
        if (round.throttled === 0 && concurrency < opts.concurrency) concurrency++;
        opts.onAttempt?.({
          attempt,
          sent: pending.length,
          requests: round.chunks.length,
          retry: round.next.length,
          rejected: round.rejected,
          degraded: round.degraded,
          tooLarge: round.tooLarge,
          throttled: round.throttled,
          concurrency,
          bulkBytes,
          error: round.error,
        });
        // Batch order first: Lambda checkpoints only up to the first record still failing.
        pending = round.next.sort((a, b) => a - b);
        // Degraded copies go again at once; transient failures wait, longer each time, with jitter.
        if (pending.length === 0 || round.throttled + round.transient === 0) continue;
        const delay = backoffDelay(backoffAttempt++, backoff);
        if (Date.now() + delay >= deadline) break;
        await sleep(delay);
      }
      return call.results;
    },
  };
}
