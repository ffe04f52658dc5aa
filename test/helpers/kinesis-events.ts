// Builds real-shaped Lambda Kinesis events (plain, gzip, zlib, KPL-aggregated records) for samples, tests and benches.
import { deflateSync, gzipSync } from 'node:zlib';
import kpl from 'aws-kinesis-agg';
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';

export const STREAM_ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/logferry-logs';
export const SHARD_ID = 'shardId-000000000000';
/** 2025-11-20T10:00:00Z, the day the CloudWatch samples are from. */
export const ARRIVAL_S = 1763632800;

/** A 56-digit sequence number like Kinesis's, increasing with `n` so batch order is sequence order. */
export function sequenceNumber(n: number, base = '4963'): string {
  return `${base}${String(n).padStart(52, '0')}`;
}

export interface RecordOptions {
  seq: string;
  partitionKey?: string;
  /** Seconds since the epoch, fractional like Lambda's `approximateArrivalTimestamp`. */
  arrival?: number;
  streamArn?: string;
  shardId?: string;
}

/** One Lambda Kinesis record around `data` (raw bytes, base64-encoded here as Kinesis does). */
export function kinesisRecord(data: Buffer | string, opts: RecordOptions): KinesisStreamRecord {
  const streamArn = opts.streamArn ?? STREAM_ARN;
  const shardId = opts.shardId ?? SHARD_ID;
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: opts.partitionKey ?? 'pk-0',
      sequenceNumber: opts.seq,
      data: Buffer.from(data).toString('base64'),
      approximateArrivalTimestamp: opts.arrival ?? ARRIVAL_S,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shardId}:${opts.seq}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/logferry-ingest-kinesis',
    awsRegion: streamArn.split(':')[3] ?? 'us-east-1',
    eventSourceARN: streamArn,
  };
}

export function kinesisEvent(records: KinesisStreamRecord[]): KinesisStreamEvent {
  return { Records: records };
}

/** What a CloudWatch Logs subscription to a Kinesis destination puts in a record: gzipped JSON. */
export function cloudWatchLogsData(message: unknown): Buffer {
  return gzipSync(JSON.stringify(message));
}

export function gzipData(text: string): Buffer {
  return gzipSync(text);
}

export function zlibData(text: string): Buffer {
  return deflateSync(text);
}

interface Aggregator {
  addUserRecord(record: { partitionKey: string; data: Buffer }): void;
  build(): { data: Buffer } | undefined;
}

/** A KPL aggregated record holding `users` (each a user record's data and partition key). */
export function kplAggregate(users: { data: Buffer | string; partitionKey?: string }[]): Buffer {
  // The library ships RecordAggregator without a type declaration.
  const { RecordAggregator } = kpl as unknown as { RecordAggregator: new () => Aggregator };
  const aggregator = new RecordAggregator();
  for (const [i, u] of users.entries()) {
    aggregator.addUserRecord({
      partitionKey: u.partitionKey ?? `user-${i}`,
      data: Buffer.from(u.data),
    });
  }
  const built = aggregator.build();
  if (!built) throw new Error('empty KPL aggregate');
  return built.data;
}

/** A FireLens (Fluent Bit) record around an application line, as the awsfirelens log driver sends it. */
export function fireLensLine(log: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    container_id: '4f0c2b7e9a1d4e3f8a7b6c5d4e3f2a1b-3456789012',
    container_name: 'web',
    ecs_cluster: 'prod',
    ecs_task_arn: 'arn:aws:ecs:us-east-1:123456789012:task/prod/4f0c2b7e9a1d4e3f8a7b6c5d4e3f2a1b',
    ecs_task_definition: 'web:42',
    log,
    source: 'stdout',
    ...extra,
  });
}
