// The retry rule, stated once for bulk items and whole bulk requests: what each OpenSearch answer means for a document.
import { errorMessage } from '#shared/errors.ts';
import { isRetryableStatus } from '#shared/retry.ts';
import { isMappingError } from './degrade.ts';

export interface BulkItemError {
  type?: string;
  reason?: string;
  caused_by?: { type?: string; reason?: string };
}

/**
 * What to do with one document after OpenSearch answered its bulk item:
 * - `indexed`: 2xx;
 * - `retry`: 429, 5xx (or no answer), sent again with backoff until the deadline; `throttled` for a 429,
 *   which also halves the bulks in flight;
 * - `degrade`: refused for its mapping, sent again at once as a degraded copy (first with the named
 *   field moved, then with every non-core field moved), so no document is lost to a mapping conflict;
 * - `rejected`: any other 4xx, or a mapping conflict the whole-document degrade did not cure: final,
 *   the document goes to the dead-letter prefix.
 */
export type ItemVerdict =
  | { kind: 'indexed' }
  | { kind: 'retry'; throttled: boolean }
  | { kind: 'degrade'; whole: boolean }
  | { kind: 'rejected' };

/** How far a document's degraded copies have gone: none yet, the named field moved, everything moved. */
export type DegradeStage = 'none' | 'field' | 'whole';

/**
 * The verdict on one bulk item. `degrade: false` (redrive of stored originals) turns mapping conflicts
 * into rejections.
 *
 * @example
 * itemVerdict(429, undefined, 'none', true) // { kind: 'retry', throttled: true }
 */
export function itemVerdict(
  status: number,
  error: unknown,
  stage: DegradeStage,
  degrade: boolean,
): ItemVerdict {
  if (status >= 200 && status < 300) return { kind: 'indexed' };
  if (isRetryableStatus(status)) return { kind: 'retry', throttled: status === 429 };
  if (degrade && stage !== 'whole' && isMappingError(error))
    return { kind: 'degrade', whole: stage === 'field' };
  return { kind: 'rejected' };
}

/**
 * What to do with every document of a bulk request that failed as a whole (no per-item answer):
 * a 413 splits a bulk of several documents in two; 429, 5xx and no answer retry them all (which of
 * them landed is unknown, and document ids make sending them again harmless); anything else, a 413
 * of a single document included, rejects them.
 *
 * @example
 * requestVerdict(413, 40) // 'split'
 */
export function requestVerdict(status: number, documents: number): 'split' | 'retry' | 'rejected' {
  if (status === 413) return documents > 1 ? 'split' : 'rejected';
  return isRetryableStatus(status) ? 'retry' : 'rejected';
}

/** Status of a request-level failure from the client: 0 when nothing answered. */
export function requestStatus(err: unknown): number {
  const status = (err as { meta?: { statusCode?: number } }).meta?.statusCode;
  return typeof status === 'number' ? status : 0;
}

/** An item error as one line: `type: reason: cause`. */
export function describeItemError(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as BulkItemError;
    const parts = [e.type, e.reason, e.caused_by?.reason].filter(Boolean);
    if (parts.length) return parts.join(': ');
  }
  return errorMessage(error);
}
