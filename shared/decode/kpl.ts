// Splits a KPL aggregated record (amazon-kinesis-producer aggregation-format.md) into its user records.
// A small protobuf reader for the one message the format has, instead of aws-kinesis-agg and protobufjs
// (100 kB of the Kinesis bundle, initialised at every cold start for records that are rarely aggregated).
import { createHash } from 'node:crypto';

/** First bytes of a KPL aggregated record. */
export const KPL_MAGIC = Buffer.from('f3899ac2', 'hex');

/** The MD5 of the protobuf message that ends the record. */
const DIGEST_BYTES = 16;

export interface KplUserRecord {
  partitionKey: string;
  /** A view into the aggregated record's bytes, not a copy. */
  data: Buffer;
}

/** The aggregate is malformed: bad checksum, truncated or invalid protobuf, a key index out of its table. */
export class KplFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KplFormatError';
  }
}

export function isKplAggregate(data: Buffer): boolean {
  return (
    data.length > KPL_MAGIC.length + DIGEST_BYTES &&
    data.subarray(0, KPL_MAGIC.length).equals(KPL_MAGIC)
  );
}

/** Reads protobuf wire data from `pos` up to `end`; every read checks it stays inside. */
class Reader {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    readonly end: number,
  ) {}

  varint(): number {
    // uint64 as a JS number: indices and lengths are far below 2^53.
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new KplFormatError('truncated varint');
      const byte = this.buf[this.pos++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    throw new KplFormatError('varint longer than 10 bytes');
  }

  /** A length-delimited field: its [start, end) within the buffer. */
  span(): [number, number] {
    const length = this.varint();
    const start = this.pos;
    if (length > this.end - start) throw new KplFormatError('length-delimited field past the end');
    this.pos = start + length;
    return [start, this.pos];
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 2) this.span();
    else if (wireType === 1 || wireType === 5) {
      const size = wireType === 1 ? 8 : 4;
      if (size > this.end - this.pos) throw new KplFormatError('fixed-size field past the end');
      this.pos += size;
    } else throw new KplFormatError(`unsupported wire type ${wireType}`);
  }
}

interface RawRecord {
  partitionKeyIndex: number;
  data: Buffer;
}

function expectWireType(actual: number, expected: number, field: string): void {
  if (actual !== expected) throw new KplFormatError(`${field} has wire type ${actual}`);
}

/** `Record { required uint64 partition_key_index = 1; optional uint64 explicit_hash_key_index = 2; required bytes data = 3; repeated Tag tags = 4; }` */
function readRecord(r: Reader): RawRecord {
  let partitionKeyIndex: number | undefined;
  let data: Buffer | undefined;
  while (r.pos < r.end) {
    const key = r.varint();
    const field = Math.floor(key / 8);
    const wireType = key & 7;
    if (field === 1) {
      expectWireType(wireType, 0, 'partition_key_index');
      partitionKeyIndex = r.varint();
    } else if (field === 3) {
      expectWireType(wireType, 2, 'data');
      const [start, end] = r.span();
      data = r.buf.subarray(start, end);
    } else r.skip(wireType); // explicit_hash_key_index (2) and tags (4): nothing downstream reads them
  }
  if (partitionKeyIndex === undefined)
    throw new KplFormatError("missing required 'partition_key_index'");
  if (data === undefined) throw new KplFormatError("missing required 'data'");
  return { partitionKeyIndex, data };
}

/**
 * The user records of a KPL aggregate, in order (their index is the sub-sequence number). Checks the MD5
 * the producer appended; throws KplFormatError when the aggregate is malformed.
 *
 * @example
 * if (isKplAggregate(data)) for (const user of deaggregateKpl(data)) console.log(user.partitionKey);
 */
export function deaggregateKpl(aggregate: Buffer): KplUserRecord[] {
  if (!isKplAggregate(aggregate)) throw new KplFormatError('not a KPL aggregated record');
  const end = aggregate.length - DIGEST_BYTES;
  const message = aggregate.subarray(KPL_MAGIC.length, end);
  const digest = createHash('md5').update(message).digest();
  if (!digest.equals(aggregate.subarray(end))) throw new KplFormatError('Invalid record checksum');

  // `AggregatedRecord { repeated string partition_key_table = 1; repeated string explicit_hash_key_table = 2; repeated Record records = 3; }`
  const r = new Reader(aggregate, KPL_MAGIC.length, end);
  const partitionKeys: string[] = [];
  const records: RawRecord[] = [];
  while (r.pos < r.end) {
    const key = r.varint();
    const field = Math.floor(key / 8);
    const wireType = key & 7;
    if (field === 1 || field === 3) {
      expectWireType(wireType, 2, field === 1 ? 'partition_key_table' : 'records');
      const [start, stop] = r.span();
      if (field === 1) partitionKeys.push(aggregate.toString('utf8', start, stop));
      else records.push(readRecord(new Reader(aggregate, start, stop)));
    } else r.skip(wireType); // explicit_hash_key_table (2): see readRecord
  }

  return records.map((rec, i) => {
    const partitionKey = partitionKeys[rec.partitionKeyIndex];
    if (partitionKey === undefined)
      throw new KplFormatError(
        `record ${i}: partition key index ${rec.partitionKeyIndex} out of range`,
      );
    return { partitionKey, data: rec.data };
  });
}
