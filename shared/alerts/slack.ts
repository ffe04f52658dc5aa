// Slack incoming-webhook client: one message a second per webhook, Retry-After honoured, all within a deadline.
import { errorMessage, SlackWebhookError } from '#shared/errors.ts';
import { backoffDelay, isRetryableStatus, sleep } from '#shared/retry.ts';
import type { SlackMessage } from './block-kit.ts';

/** A resolved webhook: `url` is the secret, `name` (the reference) is what logs and errors show. */
export interface Webhook {
  url: string;
  name: string;
}

export type PostResult =
  | { ok: true; attempts: number }
  | { ok: false; attempts: number; error: SlackWebhookError };

export interface SlackPoster {
  /** Posts one message; never throws. */
  post(webhook: Webhook, message: SlackMessage, deadline: number): Promise<PostResult>;
}

export interface SlackClientOptions {
  /** Slack allows one message a second per webhook (short bursts aside). */
  minIntervalMs?: number;
  backoff?: { baseMs: number; maxMs: number };
  /**
   * Attempts on a 5xx or no answer: an outage is not waited out (every invocation would take the whole
   * alert budget). A 429 is bound by the deadline alone, since Slack says when to come back.
   */
  maxAttempts?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

/** Seconds of a Retry-After header (Slack sends seconds); 1 when absent or unreadable. */
export function retryAfterMs(header: string | null): number {
  if (header === null || header.trim() === '') return 1000;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 1000;
}

/** Webhook paths hold the secret part of the URL (`/services/T…/B…/…`). */
const SECRET_PATH = /\/services\/\S+/g;

/** What a failed fetch says, without the URL: undici puts the address in `cause`; the path is scrubbed anyway. */
function networkReason(err: unknown, webhook: Webhook): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if ((err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError')
    return 'timed out at the deadline';
  const text = cause?.code ?? cause?.message ?? errorMessage(err);
  return text.split(webhook.url).join(webhook.name).replace(SECRET_PATH, '/services/***');
}

/**
 * The webhook client. Messages to one webhook are sent one after another, at least `minIntervalMs`
 * apart, across the invocations of this instance; a 429 waits its `Retry-After`, a 5xx or a refused
 * connection backs off, and whatever cannot go before the deadline is given up (the caller counts it).
 *
 * @example
 * const slack = createSlackClient();
 * const result = await slack.post({ url, name: 'ssm:/logferry/prod/slack-webhook' }, message, deadline);
 */
export function createSlackClient(opts: SlackClientOptions = {}): SlackPoster {
  const minInterval = opts.minIntervalMs ?? 1000;
  const backoff = opts.backoff ?? { baseMs: 250, maxMs: 2000 };
  const maxAttempts = opts.maxAttempts ?? 3;
  const doFetch = opts.fetch ?? fetch;
  const now = opts.now ?? Date.now;
  /** Earliest time the next message may go, per webhook URL. */
  const nextSlot = new Map<string, number>();
  /** The send in progress per webhook, so concurrent posts queue instead of racing the rate limit. */
  const queue = new Map<string, Promise<unknown>>();

  async function send(
    webhook: Webhook,
    message: SlackMessage,
    deadline: number,
  ): Promise<PostResult> {
    const body = JSON.stringify(message);
    let last: SlackWebhookError | undefined;
    for (let attempt = 1; ; attempt++) {
      const wait = Math.max(0, (nextSlot.get(webhook.url) ?? 0) - now());
      if (now() + wait >= deadline) {
        const why = last
          ? `${last.message}; no time left to retry`
          : 'rate limit: no slot before the deadline';
        return {
          ok: false,
          attempts: attempt - 1,
          error: last ?? new SlackWebhookError(`${webhook.name}: ${why}`, 0, false),
        };
      }
      if (wait > 0) await sleep(wait);
      let status = 0;
      let retryAfter: string | null = null;
      let answer = '';
      try {
        const res = await doFetch(webhook.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(Math.max(1, deadline - now())),
        });
        status = res.status;
        retryAfter = res.headers.get('retry-after');
        answer = (await res.text().catch(() => '')).slice(0, 100);
      } catch (err) {
        answer = networkReason(err, webhook);
      }
      // A request that never reached Slack used no slot of its rate limit.
      if (status !== 0) nextSlot.set(webhook.url, now() + minInterval);
      if (status >= 200 && status < 300) return { ok: true, attempts: attempt };

      const permanent = status !== 0 && !isRetryableStatus(status);
      const what = status ? `HTTP ${status}${answer ? ` ${answer}` : ''}` : `no answer (${answer})`;
      last = new SlackWebhookError(`${webhook.name}: ${what}`, status, permanent);
      if (permanent) return { ok: false, attempts: attempt, error: last };
      if (status !== 429 && attempt >= maxAttempts) {
        last = new SlackWebhookError(
          `${webhook.name}: ${what} (${attempt} attempts)`,
          status,
          false,
        );
        return { ok: false, attempts: attempt, error: last };
      }
      const delay =
        status === 429 ? retryAfterMs(retryAfter) : backoffDelay(attempt, backoff) + backoff.baseMs;
      if (now() + delay >= deadline) {
        last = new SlackWebhookError(
          `${webhook.name}: ${what}; ${status === 429 ? `Retry-After ${delay / 1000}s` : 'retry'} is past the deadline`,
          status,
          false,
        );
        return { ok: false, attempts: attempt, error: last };
      }
      nextSlot.set(webhook.url, Math.max(nextSlot.get(webhook.url) ?? 0, now() + delay));
    }
  }

  return {
    post(webhook, message, deadline) {
      const previous = queue.get(webhook.url) ?? Promise.resolve();
      const result = previous.then(() => send(webhook, message, deadline));
      queue.set(
        webhook.url,
        result.catch(() => undefined),
      );
      return result.catch(
        (err: unknown): PostResult => ({
          ok: false,
          attempts: 0,
          error: new SlackWebhookError(`${webhook.name}: ${networkReason(err, webhook)}`, 0, false),
        }),
      );
    },
  };
}
