// The retry rule, stated once: 429 and 5xx (and no answer at all) retry, other 4xx do not.

/** Status 0 stands for "no HTTP answer" (connection refused, reset, timeout). */
export function isRetryableStatus(status: number): boolean {
  return status === 0 || status === 429 || status >= 500;
}

/**
 * Exponential backoff with full jitter, capped; `random` is injectable for tests.
 *
 * @example
 * backoffDelay(3, { baseMs: 100, maxMs: 5000 }) // somewhere in [0, 800)
 */
export function backoffDelay(
  attempt: number,
  opts: { baseMs: number; maxMs: number },
  random = Math.random,
): number {
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
