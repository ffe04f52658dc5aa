import { describe, expect, it } from 'vitest';
import {
  type Discarded,
  type InvokeOutcome,
  type MappingSettings,
  readResponse,
  ShardConsumer,
  type StreamRecord,
} from '#scripts/dev/kinesis-shard.ts';

const SETTINGS: MappingSettings = {
  batchSize: 4,
  batchWindowMs: 1_000,
  bisect: true,
  reportBatchItemFailures: true,
  maxRetries: 2,
  maxRecordAgeMs: -1,
};

function records(n: number, arrivedAt = 0): StreamRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    sequenceNumber: String(100 + i),
    partitionKey: 'k',
    data: Buffer.from(`record ${i}`).toString('base64'),
    arrivedAt,
  }));
}

/** A shard driven by a handler that sees only sequence numbers, on a clock the test moves. */
function harness(settings: Partial<MappingSettings>, handler: (seqs: string[]) => InvokeOutcome) {
  let clock = 10_000;
  const invocations: string[][] = [];
  const discarded: Discarded[] = [];
  const checkpoints: string[] = [];
  const shard = new ShardConsumer(
    { ...SETTINGS, ...settings },
    {
      invoke: async (batch) => {
        const seqs = batch.map((r) => r.sequenceNumber);
        invocations.push(seqs);
        return handler(seqs);
      },
      discard: async (batch) => {
        discarded.push(batch);
      },
      checkpoint: (seq) => {
        checkpoints.push(seq);
      },
      report: () => {},
    },
    () => clock,
  );
  /** Drains, letting each backoff pass, as the poller's loop does. */
  const settle = async () => {
    for (let guard = 0; guard < 100 && shard.pending > 0; guard++) {
      clock += shard.waitMs();
      await shard.drain(true);
    }
  };
  return {
    shard,
    invocations,
    discarded,
    checkpoints,
    settle,
    tick: (ms: number) => {
      clock += ms;
    },
  };
}

const ok: InvokeOutcome = { kind: 'ok', response: { batchItemFailures: [] } };
const failAt = (seq: string): InvokeOutcome => ({
  kind: 'ok',
  response: { batchItemFailures: [{ itemIdentifier: seq }] },
});

describe('ShardConsumer batching', () => {
  it('sends a full batch at once and a partial one after the batch window', async () => {
    const h = harness({}, () => ok);
    h.shard.push(records(6, 10_000));
    await h.shard.drain();
    expect(h.invocations).toEqual([['100', '101', '102', '103']]);
    // Two left: not sent until the window since their arrival has passed.
    h.tick(999);
    await h.shard.drain();
    expect(h.invocations).toHaveLength(1);
    h.tick(1);
    await h.shard.drain();
    expect(h.invocations[1]).toEqual(['104', '105']);
    expect(h.checkpoints).toEqual(['103', '105']);
  });
});

describe('ShardConsumer partial batch responses', () => {
  it('checkpoints before the lowest failed record and retries from it', async () => {
    // Prepare: 102 fails once, then succeeds
    let failed = false;
    const h = harness({}, (seqs) => {
      if (!failed && seqs.includes('102')) {
        failed = true;
        return {
          kind: 'ok',
          response: { batchItemFailures: [{ itemIdentifier: '103' }, { itemIdentifier: '102' }] },
        };
      }
      return ok;
    });
    // Act
    h.shard.push(records(4));
    await h.settle();
    // Assess
    expect(h.invocations).toEqual([
      ['100', '101', '102', '103'],
      ['102', '103'],
    ]);
    expect(h.checkpoints).toEqual(['101', '103']);
    expect(h.discarded).toEqual([]);
  });

  it('discards a record that keeps failing after the retries, with its batch info, and moves on', async () => {
    const h = harness({ maxRetries: 2 }, (seqs) => (seqs.includes('103') ? failAt('103') : ok));
    h.shard.push(records(6));
    await h.settle();
    // First try, two retries of the poison record, then the shard goes on past it.
    expect(h.invocations).toEqual([['100', '101', '102', '103'], ['103'], ['103'], ['104', '105']]);
    expect(h.discarded).toHaveLength(1);
    expect(h.discarded[0]).toMatchObject({ condition: 'RetryAttemptsExhausted', invokeCount: 3 });
    expect(h.discarded[0]?.records.map((r) => r.sequenceNumber)).toEqual(['103']);
    expect(h.checkpoints).toEqual(['102', '103', '105']);
  });

  it('ignores the response when the mapping does not report item failures', async () => {
    const h = harness({ reportBatchItemFailures: false }, () => failAt('100'));
    h.shard.push(records(2));
    await h.settle();
    expect(h.invocations).toEqual([['100', '101']]);
    expect(h.discarded).toEqual([]);
  });

  it.each([
    ['an id not in the batch', { batchItemFailures: [{ itemIdentifier: '999' }] }],
    ['an empty id', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a null id', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['no list', { batchItemFailures: 'all' }],
  ])('fails the whole batch for %s', (_name, response) => {
    expect(readResponse(response, records(2), true).kind).toBe('failed');
  });

  it.each([
    ['no answer', undefined],
    ['null', null],
    ['an empty list', { batchItemFailures: [] }],
    ['no batchItemFailures', { other: 1 }],
  ])('takes %s as success', (_name, response) => {
    expect(readResponse(response, records(2), true).kind).toBe('ok');
  });
});

describe('ShardConsumer function errors', () => {
  it('bisects a failing batch down to the poison record without using retries, then retries and discards it', async () => {
    const h = harness({ maxRetries: 1 }, (seqs) =>
      seqs.includes('102') ? { kind: 'error', error: 'boom' } : ok,
    );
    h.shard.push(records(4));
    await h.settle();
    expect(h.invocations).toEqual([
      ['100', '101', '102', '103'],
      ['100', '101'],
      ['102', '103'],
      ['102'],
      ['102'], // the one retry
      ['103'],
    ]);
    expect(h.discarded).toEqual([
      expect.objectContaining({
        condition: 'RetryAttemptsExhausted',
        invokeCount: 2,
        functionError: 'Unhandled',
      }),
    ]);
    expect(h.discarded[0]?.records.map((r) => r.sequenceNumber)).toEqual(['102']);
  });

  it('retries the whole batch without bisecting when bisect is off', async () => {
    const h = harness({ bisect: false, maxRetries: 1 }, () => ({ kind: 'error', error: 'down' }));
    h.shard.push(records(3));
    await h.settle();
    expect(h.invocations).toEqual([
      ['100', '101', '102'],
      ['100', '101', '102'],
    ]);
    expect(h.discarded[0]?.records).toHaveLength(3);
  });

  it('backs off between retries', async () => {
    const h = harness({ maxRetries: 5 }, () => ({ kind: 'error', error: 'down' }));
    h.shard.push(records(1));
    await h.shard.drain(true);
    expect(h.invocations).toHaveLength(1);
    expect(h.shard.waitMs()).toBeGreaterThan(0);
    await h.shard.drain(true);
    expect(h.invocations).toHaveLength(1);
  });
});

describe('ShardConsumer record age', () => {
  it('discards records older than the maximum age before invoking', async () => {
    const h = harness({ maxRecordAgeMs: 60_000 }, () => ok);
    h.shard.push([
      ...records(2, 0),
      ...records(1, 20_000).map((r) => ({ ...r, sequenceNumber: '200' })),
    ]);
    h.tick(60_000);
    await h.settle();
    expect(h.discarded).toEqual([expect.objectContaining({ condition: 'RecordAgeExceeded' })]);
    expect(h.discarded[0]?.records.map((r) => r.sequenceNumber)).toEqual(['100', '101']);
    expect(h.invocations).toEqual([['200']]);
  });
});
