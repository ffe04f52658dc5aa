// `npm run redrive -- [--from dead-letter/…] [--queue URL] [--file PATH] [--delete] [--json]`: re-runs what failed.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { KinesisStreamRecord } from 'aws-lambda';
import { createOpenSearchClient } from '#shared/clients/opensearch.ts';
import { createS3Client } from '#shared/clients/s3.ts';
import { ingestEnv, readEnv } from '#shared/config/env.ts';
import { loadConfig } from '#shared/config/yaml.ts';
import {
  type DeadLetterRow,
  type KinesisBatchInfo,
  parseOnFailureRecord,
  type RedriveDeps,
  type RedriveOutcome,
  redriveDeadLetters,
  redriveOnFailure,
} from '#shared/ops/redrive.ts';
import { createRuntime } from '#shared/runtime.ts';
import { createOpenSearchSink } from '#shared/sinks/opensearch/sink.ts';
import { type CliRun, progressLine, runCli, UsageError } from './cli.ts';
import { deleteObject, listKeys, readObject } from './s3-objects.ts';

const USAGE = `usage: npm run redrive -- [--from PREFIX]... [--queue URL] [--file PATH]... [--delete] [--json]
  --from PREFIX  dead-letter objects to re-run (default dead-letter/ when no other source is given)
  --queue URL    an SQS on-failure destination: delivered messages are deleted
  --file PATH    on-failure records saved as JSON (one object, an array, or NDJSON)
  --delete       delete a dead-letter object once every row in it is delivered
  --local        the local stack (also when OPENSEARCH_URL is not set)`;

type Counts = Record<RedriveOutcome, number>;

const emptyCounts = (): Counts => ({ delivered: 0, failed: 0, retry: 0, skipped: 0 });

/** Reads a Kinesis batch back from its stream, from its first to its last sequence number. */
function kinesisReader(region: string, endpoint?: string) {
  // HTTP/1.1: the client's default HTTP/2 handler exists for SubscribeToShard, which this never calls,
  // and emulators such as moto do not speak HTTP/2.
  const kinesis = new KinesisClient({
    region,
    requestHandler: new NodeHttpHandler(),
    ...(endpoint ? { endpoint } : {}),
  });
  return async (batch: KinesisBatchInfo): Promise<KinesisStreamRecord[]> => {
    const streamName = batch.streamArn.split('/').pop() ?? '';
    const { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: batch.shardId,
        ShardIteratorType: 'AT_SEQUENCE_NUMBER',
        StartingSequenceNumber: batch.startSequenceNumber,
      }),
    );
    const end = BigInt(batch.endSequenceNumber);
    const out: KinesisStreamRecord[] = [];
    let iterator = ShardIterator;
    for (let page = 0; iterator && page < 100; page++) {
      const res = await kinesis.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }),
      );
      for (const r of res.Records ?? []) {
        if (BigInt(r.SequenceNumber ?? '0') > end) return out;
        out.push({
          kinesis: {
            kinesisSchemaVersion: '1.0',
            partitionKey: r.PartitionKey ?? '',
            sequenceNumber: r.SequenceNumber ?? '',
            data: Buffer.from(r.Data ?? new Uint8Array()).toString('base64'),
            approximateArrivalTimestamp: (r.ApproximateArrivalTimestamp?.getTime() ?? 0) / 1000,
          },
          eventSource: 'aws:kinesis',
          eventVersion: '1.0',
          eventID: `${batch.shardId}:${r.SequenceNumber}`,
          eventName: 'aws:kinesis:record',
          invokeIdentityArn: '',
          awsRegion: region,
          eventSourceARN: batch.streamArn,
        });
      }
      if ((res.Records ?? []).length === 0 && res.MillisBehindLatest === 0) break;
      iterator = res.NextShardIterator;
    }
    return out;
  };
}

function onFailureRecordsOf(text: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) return JSON.parse(trimmed) as unknown[];
  try {
    return [JSON.parse(trimmed)];
  } catch {
    return trimmed
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  }
}

const OPTIONS = {
  from: { type: 'string', multiple: true },
  queue: { type: 'string' },
  file: { type: 'string', multiple: true },
  delete: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
} as const;

async function main(cli: CliRun<typeof OPTIONS>): Promise<number> {
  const { values } = cli;
  const prefixes = values.from ?? (values.queue || values.file ? [] : ['dead-letter/']);
  if (prefixes.some((p) => !p.startsWith('dead-letter/')))
    throw new UsageError('--from takes dead-letter prefixes (dead-letter/…)');
  const env = ingestEnv(readEnv(cli.env));
  const runtime = createRuntime(env, loadConfig(env.configFile));
  const { config } = runtime;
  const s3 = createS3Client({ region: env.region, endpoint: env.awsEndpoint });
  const deps: RedriveDeps & { readKinesis: ReturnType<typeof kinesisReader> } = {
    config,
    sinks: runtime.sinks,
    // Stored documents go in as they are: a copy still refused stays in the dead-letter prefix.
    documents: createOpenSearchSink({
      client: createOpenSearchClient({ url: env.opensearchUrl, region: env.region }),
      bulkBytes: config.opensearch.bulk_bytes,
      concurrency: config.opensearch.concurrency,
      maxFieldBytes: config.opensearch.max_field_bytes,
      degradeOnMappingError: false,
    }),
    region: env.region,
    readKinesis: kinesisReader(env.region, env.awsEndpoint),
  };
  const deadline = () => Date.now() + 300_000;
  const progress = progressLine(process.stderr, !values.json || process.stderr.isTTY === true);
  const rows = emptyCounts();
  const messages = emptyCounts();
  const errors: string[] = [];
  let objects = 0;
  let deletedObjects = 0;
  let deletedMessages = 0;
  const note = (error: string | undefined) => {
    if (error && errors.length < 20 && !errors.includes(error)) errors.push(error);
  };

  for (const prefix of prefixes) {
    for (const key of await listKeys(s3, env.archiveBucket, prefix)) {
      const text = gunzipSync(await readObject(s3, env.archiveBucket, key)).toString('utf8');
      const parsed = text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as DeadLetterRow);
      const results = await redriveDeadLetters(parsed, deps, deadline());
      for (const r of results) {
        rows[r.outcome]++;
        note(r.error);
      }
      objects++;
      if (values.delete && results.every((r) => r.outcome === 'delivered')) {
        await deleteObject(s3, env.archiveBucket, key);
        deletedObjects++;
      }
      progress.update(
        `redrive ${objects} objects · ${rows.delivered} delivered · ${rows.failed} still refused · ${rows.retry} to retry`,
      );
    }
  }

  for (const file of values.file ?? []) {
    for (const body of onFailureRecordsOf(readFileSync(file, 'utf8'))) {
      const r = await redriveOnFailure(parseOnFailureRecord(body), deps, deadline());
      messages[r.outcome]++;
      note(r.error);
    }
  }

  if (values.queue) {
    const sqs = new SQSClient({
      region: env.region,
      ...(env.awsEndpoint ? { endpoint: env.awsEndpoint } : {}),
    });
    const seen = new Set<string>();
    for (;;) {
      const res = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: values.queue,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          VisibilityTimeout: 300,
        }),
      );
      const batch = (res.Messages ?? []).filter((m) => m.MessageId && !seen.has(m.MessageId));
      if (batch.length === 0) break;
      for (const m of batch) {
        seen.add(m.MessageId!);
        let body: unknown;
        try {
          body = JSON.parse(m.Body ?? '');
        } catch {
          body = undefined;
        }
        const r = await redriveOnFailure(parseOnFailureRecord(body), deps, deadline());
        messages[r.outcome]++;
        note(r.error);
        // Only a delivered message goes; the others reappear after the visibility timeout.
        if (r.outcome === 'delivered') {
          await sqs.send(
            new DeleteMessageCommand({ QueueUrl: values.queue, ReceiptHandle: m.ReceiptHandle }),
          );
          deletedMessages++;
        }
        progress.update(
          `redrive ${seen.size} messages · ${messages.delivered} delivered · ${messages.retry} to retry`,
        );
      }
    }
  }
  progress.done();

  const summary = { objects, rows, deletedObjects, messages, deletedMessages, errors };
  if (values.json) console.log(JSON.stringify(summary));
  else {
    console.log(
      `dead-letter: ${objects} objects, ${rows.delivered} rows delivered, ${rows.failed} still refused, ` +
        `${rows.retry} to retry, ${rows.skipped} skipped${values.delete ? `, ${deletedObjects} objects deleted` : ''}`,
    );
    console.log(
      `on-failure: ${messages.delivered} delivered, ${messages.failed} failed, ${messages.retry} to retry, ` +
        `${messages.skipped} skipped, ${deletedMessages} messages deleted`,
    );
    for (const e of errors) console.log(`  error: ${e}`);
  }
  return rows.retry + rows.failed + messages.retry + messages.failed > 0 ? 1 : 0;
}

runCli({
  name: 'redrive',
  usage: USAGE,
  options: OPTIONS,
  local: { orWhenUnset: ['OPENSEARCH_URL'] },
  run: main,
});
