// Delivers Kinesis batches the way Lambda does (checkpoint, redeliver from the first failure) and counts the results.
import { gunzipSync } from 'node:zlib';
import type { KinesisStreamEvent } from 'aws-lambda';
import type { Config } from '#shared/config/schema.ts';
import type { BatchSummary } from '#shared/pipeline/outcome.ts';
import { BATCH_SUMMARY } from '#shared/pipeline/outcome.ts';
import { createRecordingSinks } from '#shared/sinks/recording.ts';
import { ingestKinesis } from '#shared/sources/kinesis.ts';
import {
  ARRIVAL_S,
  cloudWatchLogsData,
  fireLensLine,
  gzipData,
  kinesisEvent,
  kinesisRecord,
  kplAggregate,
  sequenceNumber,
} from '#test/helpers/kinesis-events.ts';
import { ROOT } from './events.ts';
import type { LocalPipeline } from './pipeline.ts';

/** What a batch must end as: document ids per record, and the parts that can only be dead-lettered. */
export interface Expected {
  ids: string[];
  idsByRecord: Map<string, string[]>;
  /** Records (or KPL user records) that cannot be decoded. */
  poison: number;
}

/** Computed by the pure stages alone (recording sinks), so it is independent of any fault. */
export async function expectedOf(event: KinesisStreamEvent, config: Config): Promise<Expected> {
  const sinks = createRecordingSinks();
  await ingestKinesis(event, { config, sinks }, Date.now() + 60_000);
  const idsByRecord = new Map<string, string[]>();
  for (const r of sinks.indexed) {
    const list = idsByRecord.get(r.recordId) ?? [];
    list.push(r.doc.event.id);
    idsByRecord.set(r.recordId, list);
  }
  return {
    ids: sinks.indexed.map((r) => r.doc.event.id),
    idsByRecord,
    poison: sinks.deadLetters.reduce((n, d) => n + d.entries.length, 0),
  };
}

export interface Round {
  /** Records in the delivered batch. */
  records: number;
  failedAt?: string;
  summary?: BatchSummary;
}

/**
 * Invokes the handler like Lambda with ReportBatchItemFailures: when the response names a record, the
 * records before it are checkpointed and the batch is delivered again from it, up to `maxRounds` times.
 */
export async function deliver(
  p: LocalPipeline,
  event: KinesisStreamEvent,
  opts: {
    timeoutMs?: number;
    maxRounds?: number;
    beforeRetry?: (round: Round) => Promise<void>;
  } = {},
): Promise<Round[]> {
  const rounds: Round[] = [];
  let records = event.Records;
  for (let i = 0; i < (opts.maxRounds ?? 10) && records.length > 0; i++) {
    const response = await p.invokeKinesis({ Records: records }, opts.timeoutMs);
    const failedAt = response.batchItemFailures[0]?.itemIdentifier;
    const round: Round = { records: records.length, failedAt, summary: response[BATCH_SUMMARY] };
    rounds.push(round);
    if (!failedAt) break;
    const from = records.findIndex((r) => r.kinesis.sequenceNumber === failedAt);
    if (from < 0) throw new Error(`batchItemFailures names ${failedAt}, which is not in the batch`);
    records = records.slice(from);
    await opts.beforeRetry?.(round);
  }
  return rounds;
}

/** How many of `ids` are in the indices matching `pattern` (after a refresh). */
export async function countIds(
  p: LocalPipeline,
  ids: readonly string[],
  pattern = `${p.prefix}-*`,
): Promise<number> {
  await p.opensearch.indices.refresh({ index: pattern, allow_no_indices: true });
  let n = 0;
  // Small pages: a fault test's node may refuse large request bodies (http.max_content_length).
  for (let i = 0; i < ids.length; i += 500) {
    const { body } = await p.opensearch.count({
      index: pattern,
      allow_no_indices: true,
      body: { query: { ids: { values: ids.slice(i, i + 500) } } },
    } as never);
    n += (body as { count: number }).count;
  }
  return n;
}

export interface DeadLetterRow {
  record_id: string;
  error: { message: string; reason: string };
  raw?: string;
  document?: { event: { id: string } };
  source?: Record<string, unknown>;
}

/** Every row under dead-letter/ in the pipeline's bucket. */
export async function deadLetterRows(p: LocalPipeline): Promise<DeadLetterRow[]> {
  const rows: DeadLetterRow[] = [];
  for (const key of await p.listKeys('dead-letter/')) {
    const text = gunzipSync(await p.getObject(key))
      .toString('utf8')
      .trimEnd();
    for (const line of text.split('\n')) if (line) rows.push(JSON.parse(line) as DeadLetterRow);
  }
  return rows;
}

/** Rows counted once per record and document, as a redelivery overwrites rather than adds them. */
export function distinctRows(rows: readonly DeadLetterRow[]): number {
  return new Set(rows.map((r) => `${r.record_id}|${r.document?.event.id ?? ''}|${r.error.reason}`))
    .size;
}

export type RecordKind = 'text' | 'gzip' | 'cloudwatch' | 'firelens' | 'kpl';

/** An nginx access line; every fifth has an authenticated user (the mapping-conflict test needs some). */
export function accessLine(n: number): string {
  const user = n % 5 === 0 ? 'alice' : '-';
  const status = [200, 200, 304, 404, 502][n % 5];
  return `198.51.100.${n % 250} - ${user} [20/Nov/2025:10:${String(Math.floor(n / 600) % 60).padStart(2, '0')}:${String(Math.floor(n / 10) % 60).padStart(2, '0')} +0000] "GET /item/${n} HTTP/1.1" ${status} ${n % 9000} "-" "curl/8.5"`;
}

/**
 * A batch of `records` Kinesis records of the given kinds in rotation, `lines` log lines each (the
 * CloudWatch kind as subscription events with unique ids), sequence numbers from `first`.
 */
export function syntheticBatch(
  records: number,
  opts: { lines?: number; kinds?: RecordKind[]; first?: number; line?: (n: number) => string } = {},
): KinesisStreamEvent {
  const lines = opts.lines ?? 1;
  const kinds = opts.kinds ?? ['text'];
  const line = opts.line ?? accessLine;
  const first = opts.first ?? 0;
  return kinesisEvent(
    Array.from({ length: records }, (_, r) => {
      const n = first + r;
      const texts = Array.from({ length: lines }, (_, i) => line(n * lines + i));
      const kind = kinds[r % kinds.length]!;
      const data =
        kind === 'gzip'
          ? gzipData(texts.join('\n'))
          : kind === 'cloudwatch'
            ? cloudWatchLogsData({
                messageType: 'DATA_MESSAGE',
                owner: '123456789012',
                logGroup: '/ecs/web/nginx',
                logStream: `web/${n % 7}`,
                subscriptionFilters: ['logferry'],
                logEvents: texts.map((message, i) => ({
                  id: `${String(n).padStart(40, '0')}${String(i).padStart(16, '0')}`,
                  timestamp: ARRIVAL_S * 1000 + n,
                  message,
                })),
              })
            : kind === 'firelens'
              ? texts.map((t) => fireLensLine(t)).join('\n')
              : kind === 'kpl'
                ? kplAggregate(texts.map((t, i) => ({ data: t, partitionKey: `pk-${i}` })))
                : texts.join('\n');
      return kinesisRecord(data, {
        seq: sequenceNumber(n, '4964'),
        partitionKey: `web-${n % 4}`,
        arrival: ARRIVAL_S + n / 1000,
      });
    }),
  );
}

/** Runs a CLI script (`scripts/<name>.ts`) as a user would, with the pipeline's environment; parses its --json line. */
export async function runCli(
  name: 'redrive' | 'reindex',
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ code: number; json: Record<string, unknown>; stderr: string }> {
  const { spawn } = await import('node:child_process');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', `scripts/${name}.ts`, ...args, '--json'],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  const last = stdout.trim().split('\n').at(-1) ?? '';
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(last) as Record<string, unknown>;
  } catch {
    throw new Error(`${name} printed no JSON summary (exit ${code}):\n${stdout}\n${stderr}`);
  }
  return { code, json, stderr };
}
