import { describe, expect, it } from 'vitest';
import type { InvokeOutcome } from '#scripts/dev/kinesis-shard.ts';
import {
  QueueConsumer,
  type QueueLine,
  type QueueMessage,
  type QueueSettings,
  readSqsResponse,
} from '#scripts/dev/sqs-queue.ts';

const SETTINGS: QueueSettings = {
  batchSize: 5,
  batchWindowMs: 0,
  reportBatchItemFailures: true,
  maxReceiveCount: 3,
};

function message(id: string, receives = 1): QueueMessage {
  return {
    messageId: id,
    receiptHandle: `rh-${id}`,
    body: `{"n":"${id}"}`,
    attributes: { ApproximateReceiveCount: String(receives) },
    messageAttributes: {},
    md5OfBody: '',
  };
}

/**
 * A queue of messages arriving at given times (ms on the test's clock), driven by a handler that
 * sees only message ids. An empty receive lets the clock run for the time it waited, as SQS does.
 */
function harness(
  settings: Partial<QueueSettings>,
  arrivals: { at: number; message: QueueMessage }[],
  handler: (ids: string[]) => InvokeOutcome,
) {
  let clock = 0;
  const pending = [...arrivals];
  const receives: { max: number; wait: number; got: number }[] = [];
  const invocations: string[][] = [];
  const deleted: string[] = [];
  const lines: QueueLine[] = [];
  const queue = new QueueConsumer(
    { ...SETTINGS, ...settings },
    {
      receive: async (max, wait) => {
        const visible = pending.filter((a) => a.at <= clock).slice(0, max);
        if (visible.length === 0) clock += wait * 1000;
        for (const v of visible) pending.splice(pending.indexOf(v), 1);
        receives.push({ max, wait, got: visible.length });
        return visible.map((v) => v.message);
      },
      invoke: async (batch) => {
        const ids = batch.map((m) => m.messageId);
        invocations.push(ids);
        return handler(ids);
      },
      delete: async (batch) => {
        deleted.push(...batch.map((m) => m.messageId));
      },
      report: (line) => {
        lines.push(line);
      },
    },
    () => clock,
  );
  return { queue, receives, invocations, deleted, lines };
}

const now = (ids: string[]) => ids.map((id) => ({ at: 0, message: message(id) }));
const ok = (response: unknown = { batchItemFailures: [] }): InvokeOutcome => ({
  kind: 'ok',
  response,
});

describe('readSqsResponse', () => {
  const ids = ['m1', 'm2', 'm3'];

  it('reads no answer, an empty answer and an empty or null list as success', () => {
    for (const response of [
      null,
      undefined,
      {},
      { batchItemFailures: [] },
      { batchItemFailures: null },
    ])
      expect(readSqsResponse(response, ids, true), JSON.stringify(response)).toEqual({
        kind: 'ok',
      });
  });

  it('names the messages to leave on the queue', () => {
    const verdict = readSqsResponse(
      { batchItemFailures: [{ itemIdentifier: 'm3' }, { itemIdentifier: 'm1' }] },
      ids,
      true,
    );
    expect(verdict).toEqual({ kind: 'partial', failed: new Set(['m3', 'm1']) });
  });

  it('fails the whole batch on an identifier that is empty, missing, misnamed or not of the batch', () => {
    for (const failure of [
      { itemIdentifier: '' },
      { itemIdentifier: null },
      { itemId: 'm1' },
      { itemIdentifier: 'm9' },
      null,
    ])
      expect(readSqsResponse({ batchItemFailures: [failure] }, ids, true).kind).toBe('failed');
    expect(readSqsResponse({ batchItemFailures: 'm1' }, ids, true)).toEqual({
      kind: 'failed',
      error: 'batchItemFailures is not a list',
    });
  });

  it('ignores batchItemFailures when the mapping does not report them', () => {
    expect(readSqsResponse({ batchItemFailures: [{ itemIdentifier: 'm1' }] }, ids, false)).toEqual({
      kind: 'ok',
    });
  });
});

describe('QueueConsumer', () => {
  it('deletes the whole batch when the function succeeds', async () => {
    // Prepare
    const h = harness({}, now(['a', 'b', 'c']), () => ok());
    // Act
    const n = await h.queue.step();
    // Assess
    expect(n).toBe(3);
    expect(h.invocations).toEqual([['a', 'b', 'c']]);
    expect(h.deleted).toEqual(['a', 'b', 'c']);
    expect(h.lines).toEqual([
      { messages: 3, outcome: 'ok', deleted: 3, kept: 0, toDeadLetter: 0, detail: undefined },
    ]);
  });

  it('deletes the messages not named and leaves the named ones, counting those SQS dead-letters next', async () => {
    // Prepare: b has been received as often as the redrive policy allows
    const arrivals = [
      { at: 0, message: message('a') },
      { at: 0, message: message('b', 3) },
      { at: 0, message: message('c', 2) },
    ];
    const h = harness({}, arrivals, () =>
      ok({ batchItemFailures: [{ itemIdentifier: 'b' }, { itemIdentifier: 'c' }] }),
    );
    // Act
    await h.queue.step();
    // Assess
    expect(h.deleted).toEqual(['a']);
    expect(h.lines[0]).toMatchObject({ outcome: 'partial', deleted: 1, kept: 2, toDeadLetter: 1 });
  });

  it('deletes nothing on a function error or an answer naming a message not in the batch', async () => {
    for (const outcome of [
      { kind: 'error', error: 'Task timed out after 6.00 seconds' } as const,
      ok({ batchItemFailures: [{ itemIdentifier: 'zz' }] }),
    ]) {
      const h = harness({}, now(['a', 'b']), () => outcome);
      await h.queue.step();
      expect(h.deleted).toEqual([]);
      expect(h.lines[0]).toMatchObject({ outcome: 'error', deleted: 0, kept: 2 });
      expect(h.lines[0]?.detail).toMatch(/timed out|not a message of the batch/);
    }
  });

  it('deletes everything on success when the mapping takes no partial batch responses', async () => {
    const h = harness({ reportBatchItemFailures: false }, now(['a', 'b']), () =>
      ok({ batchItemFailures: [{ itemIdentifier: 'a' }] }),
    );
    await h.queue.step();
    expect(h.deleted).toEqual(['a', 'b']);
  });

  it('has no dead-letter count without a redrive policy', async () => {
    const h = harness({ maxReceiveCount: -1 }, [{ at: 0, message: message('a', 50) }], () => ({
      kind: 'error',
      error: 'boom',
    }));
    await h.queue.step();
    expect(h.lines[0]).toMatchObject({ kept: 1, toDeadLetter: 0 });
  });

  it('invokes with what the first poll found when there is no batching window', async () => {
    // Prepare: two more messages arrive just after the first poll
    const arrivals = [...now(['a', 'b']), { at: 10, message: message('c') }];
    const h = harness({ batchWindowMs: 0 }, arrivals, () => ok());
    // Act
    await h.queue.step();
    // Assess
    expect(h.invocations).toEqual([['a', 'b']]);
    expect(h.receives).toHaveLength(1);
  });

  it('keeps polling within the window until the batch is full', async () => {
    // Prepare: batches of 4 within 3 s; messages trickle in
    const arrivals = [
      { at: 0, message: message('a') },
      { at: 500, message: message('b') },
      { at: 900, message: message('c') },
      { at: 1_800, message: message('d') },
      { at: 1_900, message: message('e') },
    ];
    const h = harness({ batchSize: 4, batchWindowMs: 3_000 }, arrivals, () => ok());
    // Act
    await h.queue.step();
    // Assess
    expect(h.invocations).toEqual([['a', 'b', 'c', 'd']]);
    // Each poll asks only for what the batch still has room for.
    expect(h.receives.filter((r) => r.got > 0).map((r) => r.max)).toEqual([4, 3, 1]);
  });

  it('invokes with a partial batch once the window is over', async () => {
    const arrivals = [
      { at: 0, message: message('a') },
      { at: 10_000, message: message('b') },
    ];
    const h = harness({ batchSize: 10, batchWindowMs: 2_000 }, arrivals, () => ok());
    await h.queue.step();
    expect(h.invocations).toEqual([['a']]);
    // The window's end bounds the waits: 1 s, then 1 s.
    expect(h.receives.map((r) => r.wait)).toEqual([1, 1, 1]);
  });

  it('receives at most 10 messages a call for a larger batch', async () => {
    const ids = Array.from({ length: 25 }, (_, i) => `m${i}`);
    const h = harness({ batchSize: 25, batchWindowMs: 5_000 }, now(ids), () => ok());
    await h.queue.step();
    expect(h.receives.map((r) => r.max)).toEqual([10, 10, 5]);
    expect(h.invocations[0]).toHaveLength(25);
  });

  it('invokes nothing when the queue is empty', async () => {
    const h = harness({}, [], () => ok());
    expect(await h.queue.step()).toBe(0);
    expect(h.invocations).toEqual([]);
  });

  it('stops gathering when asked to and delivers what it holds', async () => {
    const controller = new AbortController();
    const arrivals = [
      { at: 0, message: message('a') },
      { at: 5_000, message: message('b') },
    ];
    const h = harness({ batchSize: 10, batchWindowMs: 10_000 }, arrivals, () => ok());
    // Act: the stop comes while the first poll is under way
    const gathered = h.queue.collect(controller.signal);
    controller.abort();
    // Assess: no further poll, the message in hand is not dropped
    expect((await gathered).map((m) => m.messageId)).toEqual(['a']);
    expect(h.receives).toHaveLength(1);
  });
});
