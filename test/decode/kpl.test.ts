import { createHash } from 'node:crypto';
import kpl from 'aws-kinesis-agg';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kplAggregate } from '#scripts/kinesis-events.ts';
import { deaggregateKpl, isKplAggregate, KplFormatError } from '#shared/decode/kpl.ts';

/** What aws-kinesis-agg (the reference implementation, which logferry used before) makes of an aggregate. */
function reference(data: Buffer): { partitionKey: string; data: string }[] {
  let failure: unknown;
  const out: { partitionKey: string; data: string }[] = [];
  kpl.deaggregate(
    { data: data.toString('base64'), partitionKey: 'outer', sequenceNumber: '1' } as never,
    true,
    (err, user) => {
      if (err) failure ??= err;
      else if (user) out.push({ partitionKey: user.partitionKey, data: user.data });
    },
    (err) => {
      if (err) failure ??= err;
    },
  );
  if (failure !== undefined) throw failure;
  return out;
}

/** An aggregate around a hand-written protobuf message, with a correct MD5. */
function aggregate(messageHex: string): Buffer {
  const message = Buffer.from(messageHex, 'hex');
  return Buffer.concat([
    Buffer.from('f3899ac2', 'hex'),
    message,
    createHash('md5').update(message).digest(),
  ]);
}

describe('deaggregateKpl', () => {
  it('returns what aws-kinesis-agg returns for every aggregate the KPL format allows', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            data: fc.uint8Array({ maxLength: 300 }),
            partitionKey: fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' }),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        (users) => {
          // Prepare
          const data = kplAggregate(users.map((u) => ({ ...u, data: Buffer.from(u.data) })));
          // Act
          const ours = deaggregateKpl(data).map((u) => ({
            partitionKey: u.partitionKey,
            data: u.data.toString('base64'),
          }));
          // Assess
          expect(isKplAggregate(data)).toBe(true);
          expect(ours).toEqual(reference(data));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads explicit hash keys, tags and unknown fields past without taking them for data', () => {
    // partition_key_table ['a'], explicit_hash_key_table ['9'], unknown field 7 (varint), then
    // Record { partition_key_index 0, explicit_hash_key_index 0, data 'hi', tags [{ key 'k' }] }
    const data = aggregate(
      '0a01611201393801' + '1a0d' + '0800' + '1000' + '1a026869' + '2203' + '0a016b',
    );
    expect(deaggregateKpl(data)).toEqual([{ partitionKey: 'a', data: Buffer.from('hi') }]);
    expect(reference(data)).toEqual([
      { partitionKey: 'a', data: Buffer.from('hi').toString('base64') },
    ]);
  });

  it('refuses a wrong checksum, a truncated message and an index outside the key table', () => {
    const good = kplAggregate([{ data: 'x', partitionKey: 'p' }]);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 1]! ^= 0xff;
    expect(() => deaggregateKpl(flipped)).toThrow('Invalid record checksum');
    // partition key length 0x35cd, past the end: aws-kinesis-agg reads it as a key and returns no record at all.
    const overlong = aggregate('0acd6b0a016a1a0908001a0568656c6c6f');
    expect(reference(overlong)).toEqual([]);
    expect(() => deaggregateKpl(overlong)).toThrow(KplFormatError);
    // Record { partition_key_index 3, data 'hi' } with a one-key table
    expect(() => deaggregateKpl(aggregate('0a0161' + '1a06' + '0803' + '1a026869'))).toThrow(
      /partition key index 3 out of range/,
    );
    // Record without data
    expect(() => deaggregateKpl(aggregate('0a0161' + '1a02' + '0800'))).toThrow(/'data'/);
  });
});
