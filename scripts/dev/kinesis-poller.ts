// Lambda's Kinesis poller for one event source mapping: reads every shard, feeds ShardConsumer, writes discards to the on-failure queue.
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type GetShardIteratorCommandInput,
  KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { type AwsTarget, type DeployedMapping, queueUrl } from './deployed.ts';
import { ShardConsumer, type StreamRecord } from './kinesis-shard.ts';
import { kinesisEvent, kinesisFailureRecord } from './lambda-events.ts';
import type { LocalFunction } from './lambda-runtime.ts';

/** Lambda reads each shard about once a second when it is idle. */
const IDLE_MS = 1_000;
/** GetRecords' own maximum. */
const MAX_GET = 10_000;

export interface PollerOptions {
  target: AwsTarget;
  mapping: DeployedMapping;
  fn: LocalFunction;
  /** Last sequence number done per shard, kept by the caller across runs. */
  checkpoints: Record<string, string>;
  /** One line per delivery. */
  log(line: string): void;
  /** Resolves once every shard is drained (nothing behind the tip, nothing pending). */
  once: boolean;
  signal: AbortSignal;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** Where a shard is read from: after its checkpoint, else where the mapping's starting position says. */
export function iteratorStart(
  mapping: DeployedMapping,
  checkpoint: string | undefined,
): Pick<
  GetShardIteratorCommandInput,
  'ShardIteratorType' | 'StartingSequenceNumber' | 'Timestamp'
> {
  if (checkpoint)
    return { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: checkpoint };
  if (mapping.startingPosition === 'TRIM_HORIZON') return { ShardIteratorType: 'TRIM_HORIZON' };
  // LATEST: what arrives once the mapping exists, however late the loop starts.
  return { ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(mapping.lastModified) };
}

async function pollShard(
  options: PollerOptions,
  clients: { kinesis: KinesisClient; sqs: SQSClient },
  shardId: string,
): Promise<void> {
  const { mapping, fn, signal } = options;
  const source = {
    streamArn: mapping.sourceArn,
    shardId,
    region: options.target.region,
    roleArn: fn.fn.role,
  };
  const consumer = new ShardConsumer(mapping.settings, {
    invoke: async (records) => {
      const result = await fn.invoke(kinesisEvent(records, source));
      const s = result.summary;
      options.log(
        `kinesis ${shardId}: ${records.length} record(s) -> ${fn.fn.name}` +
          (s
            ? `: ${s.documents} document(s), ${s.indexed} indexed, ${s.deadLettered} dead-lettered`
            : '') +
          (result.kind === 'error' ? `: function error: ${result.error}` : ''),
      );
      return result;
    },
    discard: async (batch) => {
      const body = kinesisFailureRecord(batch, {
        functionArn: fn.fn.arn,
        shardId,
        streamArn: mapping.sourceArn,
      });
      if (!mapping.onFailure) {
        options.log(
          `kinesis ${shardId}: ${batch.records.length} record(s) discarded (${batch.condition}); no on-failure destination`,
        );
        return;
      }
      await clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: await queueUrl(clients.sqs, mapping.onFailure),
          MessageBody: JSON.stringify(body),
        }),
      );
      options.log(
        `kinesis ${shardId}: ${batch.records.length} record(s) discarded (${batch.condition}) -> ${mapping.onFailure}`,
      );
    },
    checkpoint: (seq) => {
      options.checkpoints[shardId] = seq;
    },
    report: (line) => {
      if (line.outcome !== 'ok' && line.outcome !== 'discarded')
        options.log(
          `kinesis ${shardId}: ${line.outcome}, ${line.acknowledged} of ${line.records} checkpointed${line.detail ? `: ${line.detail}` : ''}`,
        );
    },
  });
  const start = await clients.kinesis.send(
    new GetShardIteratorCommand({
      StreamARN: mapping.sourceArn,
      ShardId: shardId,
      ...iteratorStart(mapping, options.checkpoints[shardId]),
    }),
  );
  let iterator = start.ShardIterator;
  let caughtUp = false;
  while (!signal.aborted && iterator) {
    // Read ahead only what the next batches need: a failing batch must not pull the whole shard in.
    if (consumer.pending < mapping.settings.batchSize) {
      const page = await clients.kinesis.send(
        new GetRecordsCommand({
          StreamARN: mapping.sourceArn,
          ShardIterator: iterator,
          Limit: Math.min(MAX_GET, mapping.settings.batchSize),
        }),
      );
      iterator = page.NextShardIterator;
      const records: StreamRecord[] = (page.Records ?? []).map((r) => ({
        sequenceNumber: r.SequenceNumber ?? '',
        partitionKey: r.PartitionKey ?? '',
        data: Buffer.from(r.Data ?? new Uint8Array()).toString('base64'),
        arrivedAt: r.ApproximateArrivalTimestamp?.getTime() ?? Date.now(),
      }));
      consumer.push(records);
      caughtUp = records.length === 0 && (page.MillisBehindLatest ?? 0) === 0;
    }
    await consumer.drain(options.once && caughtUp);
    if (options.once && caughtUp && consumer.pending === 0) return;
    if (caughtUp || consumer.pending >= mapping.settings.batchSize)
      await sleep(Math.max(consumer.waitMs(), caughtUp ? IDLE_MS / 4 : 50), signal);
  }
}

/**
 * Polls every shard of the mapping's stream until `signal` aborts (or, with `once`, until each is drained).
 *
 * @example
 * await pollKinesis({ target, mapping, fn, checkpoints: {}, log: console.log, once: true, signal });
 */
export async function pollKinesis(options: PollerOptions): Promise<void> {
  // HTTP/1.1: the client's default HTTP/2 handler is for SubscribeToShard, and moto speaks only 1.1.
  const kinesis = new KinesisClient({ ...options.target, requestHandler: new NodeHttpHandler() });
  const sqs = new SQSClient(options.target);
  try {
    const { Shards } = await kinesis.send(
      new ListShardsCommand({ StreamARN: options.mapping.sourceArn }),
    );
    const open = (Shards ?? []).filter((s) => !s.SequenceNumberRange?.EndingSequenceNumber);
    await Promise.all(open.map((s) => pollShard(options, { kinesis, sqs }, s.ShardId ?? '')));
  } finally {
    kinesis.destroy();
    sqs.destroy();
  }
}
