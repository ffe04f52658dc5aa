// One SQS queue as Lambda's SQS poller works it: batches, the partial batch response, what is deleted and what comes back.
//
// The rules, from the Lambda documentation of SQS event source mappings:
// - a batch is up to BatchSize messages (ReceiveMessage returns 10 at most, so larger batches take
//   several calls), invoked once it is full or MaximumBatchingWindowInSeconds after the poll that
//   found its first message; with no window, as soon as one poll returned anything;
// - on success Lambda deletes the batch's messages. With ReportBatchItemFailures, the messages named in
//   `batchItemFailures` are left on the queue and every other one is deleted; an empty list, a null list
//   or no answer is success; an answer naming a message not in the batch, or one with an empty or
//   missing itemIdentifier, fails the whole batch;
// - a function error (or a timeout, or such a failed answer) deletes nothing: Lambda never changes the
//   visibility of what it received, so every message comes back once the queue's visibility timeout
//   is over, with its receive count one higher;
// - the dead-letter queue is SQS's, not Lambda's: a message received maxReceiveCount times moves to the
//   redrive policy's queue instead of being received again.
import type { InvokeOutcome } from './kinesis-shard.ts';

/** A received message as it goes into a Lambda SQS event record. */
export interface QueueMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  /** System attributes, string-valued: ApproximateReceiveCount, SentTimestamp, SenderId, … */
  attributes: Record<string, string>;
  messageAttributes: Record<string, unknown>;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
}

export interface QueueSettings {
  batchSize: number;
  batchWindowMs: number;
  reportBatchItemFailures: boolean;
  /** From the queue's redrive policy; -1 when it has none (a failing message comes back forever). */
  maxReceiveCount: number;
}

export interface QueueLine {
  messages: number;
  outcome: 'ok' | 'partial' | 'error';
  deleted: number;
  /** Left on the queue: they come back after the visibility timeout. */
  kept: number;
  /** Of those kept, how many were received maxReceiveCount times: SQS dead-letters them next. */
  toDeadLetter: number;
  detail?: string;
}

export interface QueueHooks {
  /** ReceiveMessage: at most `max` (≤ 10) messages, waiting up to `waitSeconds` for the first. */
  receive(max: number, waitSeconds: number): Promise<QueueMessage[]>;
  invoke(messages: QueueMessage[]): Promise<InvokeOutcome>;
  delete(messages: QueueMessage[]): Promise<void>;
  report(line: QueueLine): void;
}

/** ReceiveMessage's own maximum. */
const MAX_RECEIVE = 10;

type Verdict =
  | { kind: 'ok' }
  | { kind: 'partial'; failed: Set<string> }
  | { kind: 'failed'; error: string };

/**
 * What the function's answer means for the batch, as Lambda reads an SQS partial batch response.
 *
 * @example
 * readSqsResponse({ batchItemFailures: [{ itemIdentifier: 'm2' }] }, ['m1', 'm2'], true);
 * // { kind: 'partial', failed: Set { 'm2' } }
 */
export function readSqsResponse(
  response: unknown,
  messageIds: readonly string[],
  report: boolean,
): Verdict {
  if (!report || response === null || typeof response !== 'object') return { kind: 'ok' };
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'ok' };
  if (!Array.isArray(failures)) return { kind: 'failed', error: 'batchItemFailures is not a list' };
  if (failures.length === 0) return { kind: 'ok' };
  const ids = new Set(messageIds);
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !ids.has(id))
      return {
        kind: 'failed',
        error: `batchItemFailures names ${JSON.stringify(id)}, not a message of the batch`,
      };
    failed.add(id);
  }
  return { kind: 'partial', failed };
}

/** How many times SQS has handed the message out, this receive included. */
export function receiveCount(message: QueueMessage): number {
  return Number(message.attributes.ApproximateReceiveCount) || 1;
}

/**
 * Works one queue as Lambda's poller does: `step` gathers a batch, invokes the function with it and
 * deletes what the answer says is done; the rest is left to reappear after the visibility timeout.
 *
 * @example
 * const queue = new QueueConsumer(settings, hooks);
 * while ((await queue.step()) > 0);
 */
export class QueueConsumer {
  constructor(
    private readonly settings: QueueSettings,
    private readonly hooks: QueueHooks,
    private readonly now: () => number = Date.now,
    /** Longest wait of one ReceiveMessage: short, so a stop is noticed within it. */
    private readonly pollSeconds = 1,
  ) {}

  /** Receives one batch: up to batchSize messages, within the window from the first one found. */
  async collect(signal?: AbortSignal): Promise<QueueMessage[]> {
    const { batchSize, batchWindowMs } = this.settings;
    const batch: QueueMessage[] = [];
    let firstAt: number | undefined;
    while (batch.length < batchSize && !signal?.aborted) {
      let wait = this.pollSeconds;
      if (firstAt !== undefined) {
        const left = batchWindowMs - (this.now() - firstAt);
        if (left <= 0) break;
        wait = Math.min(wait, Math.ceil(left / 1000));
      }
      const got = await this.hooks.receive(Math.min(MAX_RECEIVE, batchSize - batch.length), wait);
      if (got.length === 0) {
        if (firstAt === undefined) break;
        continue;
      }
      firstAt ??= this.now();
      batch.push(...got);
      if (batchWindowMs <= 0) break;
    }
    return batch;
  }

  /** One batch through the function; resolves to its size (0: the queue had nothing). */
  async step(signal?: AbortSignal): Promise<number> {
    const batch = await this.collect(signal);
    if (batch.length === 0) return 0;
    const outcome = await this.hooks.invoke(batch);
    const verdict: Verdict =
      outcome.kind === 'error'
        ? { kind: 'failed', error: outcome.error }
        : readSqsResponse(
            outcome.response,
            batch.map((m) => m.messageId),
            this.settings.reportBatchItemFailures,
          );
    const kept =
      verdict.kind === 'ok'
        ? []
        : verdict.kind === 'partial'
          ? batch.filter((m) => verdict.failed.has(m.messageId))
          : batch;
    const done = batch.filter((m) => !kept.includes(m));
    if (done.length > 0) await this.hooks.delete(done);
    const { maxReceiveCount } = this.settings;
    this.hooks.report({
      messages: batch.length,
      outcome: verdict.kind === 'failed' ? 'error' : verdict.kind,
      deleted: done.length,
      kept: kept.length,
      toDeadLetter:
        maxReceiveCount < 0 ? 0 : kept.filter((m) => receiveCount(m) >= maxReceiveCount).length,
      detail: verdict.kind === 'failed' ? verdict.error : undefined,
    });
    return batch.length;
  }
}
