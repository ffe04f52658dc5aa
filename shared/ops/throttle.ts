// Our own backoff around AWS control-plane calls, on top of the SDK's: CloudWatch Logs quotas there are a few calls a second.
import { ThrottledError } from '#shared/errors.ts';
import { backoffDelay, sleep as realSleep } from '#shared/retry.ts';

/** Error names AWS uses for "slow down"; LimitExceededException is also CloudWatch Logs' per-account rate limit. */
const THROTTLE_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'LimitExceededException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);

export function isThrottle(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return THROTTLE_NAMES.has(e?.name ?? '') || e?.$metadata?.httpStatusCode === 429;
}

export interface ThrottleOptions {
  /** Calls in all, the first included (each call already carries the SDK's own retries). */
  attempts?: number;
  baseMs?: number;
  maxMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  onThrottle?: (info: { operation: string; attempt: number; delayMs: number }) => void;
}

/**
 * Calls `fn` again after a jittered, growing pause while AWS throttles it; other errors pass through.
 * Gives up with a ThrottledError (the last throttle as its cause).
 *
 * @example
 * const page = await withThrottleRetry('DescribeLogGroups', () => client.send(command));
 */
export async function withThrottleRetry<T>(
  operation: string,
  fn: () => Promise<T>,
  opts: ThrottleOptions = {},
): Promise<T> {
  const attempts = opts.attempts ?? 6;
  const backoff = { baseMs: opts.baseMs ?? 500, maxMs: opts.maxMs ?? 20_000 };
  const sleep = opts.sleep ?? realSleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isThrottle(err)) throw err;
      if (attempt + 1 >= attempts) {
        throw new ThrottledError(
          `${operation} still throttled after ${attempts} attempts: ${(err as Error).message}`,
          operation,
          { cause: err },
        );
      }
      // Half the ceiling at least: full jitter alone can retry at once, which a throttled API punishes.
      const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** attempt);
      const delayMs =
        Math.floor(ceiling / 2) +
        backoffDelay(
          attempt,
          { baseMs: backoff.baseMs / 2, maxMs: backoff.maxMs / 2 },
          opts.random,
        );
      opts.onThrottle?.({ operation, attempt, delayMs });
      await sleep(delayMs);
    }
  }
}
