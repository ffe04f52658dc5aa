// KPL de-aggregation: splits a Kinesis Producer Library aggregate into its user records (aws-kinesis-agg checks the MD5).
import kpl from 'aws-kinesis-agg';
import { DecodeError, errorMessage } from '#shared/errors.ts';

/** First bytes of a KPL aggregated record (amazon-kinesis-producer aggregation-format.md). */
const KPL_MAGIC = Buffer.from('f3899ac2', 'hex');

/** The payload of one user record (a plain record is its own single user record). */
export interface UserRecord {
  data: Buffer;
  partitionKey: string;
  subSequenceNumber?: number;
}

/** What de-aggregation needs of the Kinesis record that carried the aggregate. */
export interface AggregateRef {
  partitionKey: string;
  sequenceNumber: string;
  /** Epoch milliseconds of `approximateArrivalTimestamp`. */
  arrival: number;
}

/**
 * Whether `data` starts like a KPL aggregate: the magic bytes, then at least the MD5 trailer.
 *
 * @example
 * isKplAggregate(Buffer.from('plain text')) // false
 */
export function isKplAggregate(data: Buffer): boolean {
  return (
    data.length > KPL_MAGIC.length + 16 && data.subarray(0, KPL_MAGIC.length).equals(KPL_MAGIC)
  );
}

/**
 * Splits a KPL aggregate into its user records, checking the MD5 the producer appended; throws
 * DecodeError('kpl') when it is corrupt.
 *
 * @example
 * const users = deaggregate(data, { partitionKey: 'pk', sequenceNumber: '495…', arrival: 0 });
 */
export function deaggregate(data: Buffer, ref: AggregateRef): UserRecord[] {
  const out: UserRecord[] = [];
  let failure: unknown;
  // The library is callback-shaped but runs synchronously; its callbacks fire before it returns.
  kpl.deaggregate(
    {
      data: data.toString('base64'),
      partitionKey: ref.partitionKey,
      sequenceNumber: ref.sequenceNumber,
      approximateArrivalTimestamp: ref.arrival / 1000,
      kinesisSchemaVersion: '1.0',
    },
    true,
    (err, user) => {
      if (err) failure ??= err;
      else if (user) {
        out.push({
          data: Buffer.from(user.data, 'base64'),
          partitionKey: user.partitionKey,
          subSequenceNumber: user.subSequenceNumber,
        });
      }
    },
    (err) => {
      if (err) failure ??= err;
    },
  );
  if (failure !== undefined) {
    throw new DecodeError(`KPL aggregated record is corrupt: ${errorMessage(failure)}`, 'kpl', {
      cause: failure,
    });
  }
  // A malformed message whose checksum still matches can make the library yield nothing and no error;
  // an aggregate always holds at least one record, so that is corruption, not an empty record.
  if (out.length === 0) {
    throw new DecodeError('KPL aggregated record is corrupt: no user record could be read', 'kpl');
  }
  return out;
}

/**
 * The user records of a Kinesis record's data: its KPL user records, or the data itself.
 *
 * @example
 * userRecords(Buffer.from('a line'), ref) // [{ data: <Buffer>, partitionKey: ref.partitionKey }]
 */
export function userRecords(data: Buffer, ref: AggregateRef): UserRecord[] {
  if (!isKplAggregate(data)) return [{ data, partitionKey: ref.partitionKey }];
  return deaggregate(data, ref);
}
