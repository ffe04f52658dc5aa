// One shard as Lambda's Kinesis poller works it: batches, the partial batch response, bisect, retries, record age, discards.
//
// The rules, from the Lambda documentation of Kinesis event source mappings:
// - a batch is up to BatchSize records, sent once it is full or MaximumBatchingWindowInSeconds after its
//   first record arrived;
// - with ReportBatchItemFailures, `batchItemFailures` names records to retry: Lambda checkpoints before
//   the one with the lowest sequence number and retries from it; an empty list (or no answer) is success,
//   and an answer naming no record of the batch fails the whole batch;
// - a function error (or such a failed answer) with BisectBatchOnFunctionError splits the batch in two,
//   each half retried on its own; splitting does not use up MaximumRetryAttempts;
// - past MaximumRetryAttempts retries, or once older than MaximumRecordAgeInSeconds, records are discarded:
//   their KinesisBatchInfo goes to the on-failure destination and the shard moves on.

export interface StreamRecord {
  sequenceNumber: string;
  partitionKey: string;
  /** The record's bytes, base64 as in a Lambda event. */
  data: string;
  /** Epoch milliseconds. */
  arrivedAt: number;
}

export interface MappingSettings {
  batchSize: number;
  batchWindowMs: number;
  bisect: boolean;
  reportBatchItemFailures: boolean;
  /** -1: until the record expires. */
  maxRetries: number;
  /** -1: no limit. */
  maxRecordAgeMs: number;
}

export type InvokeOutcome = { kind: 'ok'; response: unknown } | { kind: 'error'; error: string };

export interface Discarded {
  records: StreamRecord[];
  condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded';
  invokeCount: number;
  functionError?: string;
}

export interface BatchLine {
  records: number;
  outcome: 'ok' | 'partial' | 'error' | 'discarded';
  /** Records checkpointed by this step. */
  acknowledged: number;
  detail?: string;
}

export interface ShardHooks {
  invoke(records: StreamRecord[]): Promise<InvokeOutcome>;
  discard(batch: Discarded): Promise<void>;
  /** The last sequence number done with (processed or discarded). */
  checkpoint(sequenceNumber: string): void;
  report(line: BatchLine): void;
}

const RETRY_BASE_MS = 200;
const RETRY_MAX_MS = 5_000;

type Verdict = { kind: 'ok' } | { kind: 'partial'; at: number } | { kind: 'failed'; error: string };

/** What the function's answer means for the batch, as Lambda reads a partial batch response. */
export function readResponse(response: unknown, batch: StreamRecord[], report: boolean): Verdict {
  if (!report || response === null || response === undefined) return { kind: 'ok' };
  if (typeof response !== 'object') return { kind: 'ok' };
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'ok' };
  if (!Array.isArray(failures)) return { kind: 'failed', error: 'batchItemFailures is not a list' };
  if (failures.length === 0) return { kind: 'ok' };
  let lowest = Number.POSITIVE_INFINITY;
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    const at =
      typeof id === 'string' && id !== '' ? batch.findIndex((r) => r.sequenceNumber === id) : -1;
    if (at < 0)
      return {
        kind: 'failed',
        error: `batchItemFailures names ${JSON.stringify(id)}, not a record of the batch`,
      };
    lowest = Math.min(lowest, at);
  }
  return { kind: 'partial', at: lowest };
}

/**
 * Works one shard's records in order. The poller `push`es what GetRecords returned and calls `drain`;
 * everything is checkpointed through the hooks, so the poller can resume from the last checkpoint.
 *
 * @example
 * const shard = new ShardConsumer(settings, hooks);
 * shard.push(records);
 * await shard.drain();
 */
export class ShardConsumer {
  private readonly buffer: StreamRecord[] = [];
  /** Sizes of the batches still owed by bisection, the next first. */
  private sizes: number[] = [];
  /** Retries used so far by the batch at the head of the buffer. */
  private attempts = 0;
  /** No retry before this time (epoch ms): failing batches back off as Lambda's do. */
  private retryAt = 0;

  constructor(
    private readonly settings: MappingSettings,
    private readonly hooks: ShardHooks,
    private readonly now: () => number = Date.now,
  ) {}

  push(records: readonly StreamRecord[]): void {
    this.buffer.push(...records);
  }

  get pending(): number {
    return this.buffer.length;
  }

  /** Whether a batch is due: full, owed by a retry, or its window is over (or `force`: draining). */
  ready(force = false): boolean {
    const first = this.buffer[0];
    if (!first || this.now() < this.retryAt) return false;
    if (force || this.sizes.length > 0 || this.attempts > 0) return true;
    if (this.buffer.length >= this.settings.batchSize) return true;
    return this.now() - first.arrivedAt >= this.settings.batchWindowMs;
  }

  /** Runs batches while one is ready. */
  async drain(force = false): Promise<void> {
    while (this.ready(force)) await this.step();
  }

  private take(n: number): StreamRecord[] {
    const done = this.buffer.splice(0, n);
    const last = done[done.length - 1];
    if (last) this.hooks.checkpoint(last.sequenceNumber);
    return done;
  }

  private async step(): Promise<void> {
    const { settings } = this;
    if (settings.maxRecordAgeMs >= 0) {
      const oldest = this.now() - settings.maxRecordAgeMs;
      let expired = 0;
      while (expired < this.buffer.length && (this.buffer[expired]?.arrivedAt ?? 0) < oldest)
        expired++;
      if (expired > 0) {
        const records = this.take(expired);
        this.sizes = [];
        await this.hooks.discard({
          records,
          condition: 'RecordAgeExceeded',
          invokeCount: this.attempts,
        });
        this.attempts = 0;
        this.hooks.report({
          records: records.length,
          outcome: 'discarded',
          acknowledged: records.length,
          detail: 'older than MaximumRecordAgeInSeconds',
        });
        return;
      }
    }
    const size = Math.min(this.sizes[0] ?? settings.batchSize, this.buffer.length);
    const batch = this.buffer.slice(0, size);
    const outcome = await this.hooks.invoke(batch);
    const verdict: Verdict =
      outcome.kind === 'error'
        ? { kind: 'failed', error: outcome.error }
        : readResponse(outcome.response, batch, settings.reportBatchItemFailures);

    if (verdict.kind === 'ok') {
      this.take(size);
      this.sizes.shift();
      this.attempts = 0;
      this.hooks.report({ records: size, outcome: 'ok', acknowledged: size });
      return;
    }
    if (verdict.kind === 'partial') {
      this.take(verdict.at);
      const left = size - verdict.at;
      this.sizes[0] = left;
      this.hooks.report({
        records: size,
        outcome: 'partial',
        acknowledged: verdict.at,
        detail: `retry from record ${verdict.at + 1}`,
      });
      await this.retryOrDiscard(left);
      return;
    }
    if (settings.bisect && size > 1) {
      const half = Math.ceil(size / 2);
      this.sizes = [half, size - half, ...this.sizes.slice(1)];
      this.hooks.report({
        records: size,
        outcome: 'error',
        acknowledged: 0,
        detail: `${verdict.error}; bisected into ${half} + ${size - half}`,
      });
      return;
    }
    this.hooks.report({ records: size, outcome: 'error', acknowledged: 0, detail: verdict.error });
    await this.retryOrDiscard(size, outcome.kind === 'error' ? 'Unhandled' : undefined);
  }

  /** Milliseconds until a batch waiting out its backoff may go again (0: none waits). */
  waitMs(): number {
    return Math.max(0, this.retryAt - this.now());
  }

  /** Counts a retry of the head batch of `size` records; past the limit, discards it. */
  private async retryOrDiscard(size: number, functionError?: string): Promise<void> {
    this.attempts++;
    const { maxRetries } = this.settings;
    if (maxRetries < 0 || this.attempts <= maxRetries) {
      this.retryAt = this.now() + Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (this.attempts - 1));
      return;
    }
    const records = this.take(size);
    this.sizes.shift();
    await this.hooks.discard({
      records,
      condition: 'RetryAttemptsExhausted',
      invokeCount: this.attempts,
      functionError,
    });
    this.attempts = 0;
    this.hooks.report({
      records: size,
      outcome: 'discarded',
      acknowledged: size,
      detail: `after ${maxRetries} retries`,
    });
  }
}
