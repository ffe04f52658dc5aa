import { describe, expect, it } from 'vitest';
import {
  describeItemError,
  itemVerdict,
  requestStatus,
  requestVerdict,
} from '#shared/sinks/opensearch/item-status.ts';

const mapping = { type: 'mapper_parsing_exception', reason: 'failed to parse field [x]' };

describe('itemVerdict', () => {
  it('indexes 2xx, retries 429 (throttled), 5xx and no answer, rejects other 4xx', () => {
    expect(itemVerdict(201, undefined, 'none', true)).toEqual({ kind: 'indexed' });
    expect(itemVerdict(429, undefined, 'none', true)).toEqual({ kind: 'retry', throttled: true });
    expect(itemVerdict(503, undefined, 'none', true)).toEqual({ kind: 'retry', throttled: false });
    expect(itemVerdict(0, undefined, 'none', true)).toEqual({ kind: 'retry', throttled: false });
    expect(itemVerdict(409, { type: 'version_conflict_engine_exception' }, 'none', true)).toEqual({
      kind: 'rejected',
    });
  });

  it('degrades a mapping conflict by the named field first, then whole, then gives up', () => {
    expect(itemVerdict(400, mapping, 'none', true)).toEqual({ kind: 'degrade', whole: false });
    expect(itemVerdict(400, mapping, 'field', true)).toEqual({ kind: 'degrade', whole: true });
    expect(itemVerdict(400, mapping, 'whole', true)).toEqual({ kind: 'rejected' });
  });

  it('rejects a mapping conflict when degrading is off (redrive of stored originals)', () => {
    expect(itemVerdict(400, mapping, 'none', false)).toEqual({ kind: 'rejected' });
  });
});

describe('requestVerdict', () => {
  it('splits a 413 of several documents, rejects a 413 of one, retries 429/5xx/no answer', () => {
    expect(requestVerdict(413, 2)).toBe('split');
    expect(requestVerdict(413, 1)).toBe('rejected');
    expect(requestVerdict(429, 5)).toBe('retry');
    expect(requestVerdict(502, 5)).toBe('retry');
    expect(requestVerdict(0, 5)).toBe('retry');
    expect(requestVerdict(403, 5)).toBe('rejected');
  });

  it('reads the status of a client error, 0 when nothing answered', () => {
    expect(requestStatus({ meta: { statusCode: 413 } })).toBe(413);
    expect(requestStatus(new Error('ECONNREFUSED'))).toBe(0);
  });

  it('describes an item error in one line', () => {
    expect(
      describeItemError({ type: 'a', reason: 'b', caused_by: { type: 'c', reason: 'd' } }),
    ).toBe('a: b: d');
    expect(describeItemError(new Error('boom'))).toBe('boom');
  });
});
