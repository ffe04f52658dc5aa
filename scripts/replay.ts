// `npm run replay -- PATH... [--dry-run] [--json]`: runs the real handlers on saved events against the local stack.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { SlackMessage } from '#shared/alerts/block-kit.ts';
import { boundedStringify } from '#shared/bounded-json.ts';
import { createOpenSearchClient } from '#shared/clients/opensearch.ts';
import { createS3Client } from '#shared/clients/s3.ts';
import { readEnv } from '#shared/config/env.ts';
import { loadConfig, writeValidatedConfig } from '#shared/config/yaml.ts';
import { createEnrichment } from '#shared/enrich/load.ts';
import { DeliveryError } from '#shared/errors.ts';
import { installTemplates } from '#shared/ops/templates.ts';
import { BATCH_SUMMARY, type BatchSummary, summarize } from '#shared/pipeline/outcome.ts';
import { createDryRunAlertSink } from '#shared/runtime.ts';
import { createRecordingSinks } from '#shared/sinks/recording.ts';
import { ingestCloudWatchLogs } from '#shared/sources/cloudwatch-logs.ts';
import { ingestKinesis } from '#shared/sources/kinesis.ts';
import { ingestS3 } from '#shared/sources/s3.ts';
import { type EventShape, eventShape } from '#shared/sources/shape.ts';
import { lambdaContext } from '#test/helpers/lambda-context.ts';
import { type CliRun, runCli, UsageError } from './cli.ts';
import { LOCAL_DIR } from './local/paths.ts';
import { fileObjectStore, sampleObjects, samplesRoot, uploadSamples } from './local/s3-samples.ts';

const USAGE = `usage: npm run replay -- PATH... [--dry-run] [--json] [--config logferry.yml]

  Runs the real Lambda handler chosen by each event's shape on each event file (or every .json file
  in a folder) against the local stack, starting what it lacks and leaving it running. --dry-run needs
  no services and prints the documents, target indices, archive keys and alert messages instead.
  --json ends the output with one summary line. S3 notifications (SQS-wrapped, EventBridge, direct)
  read their objects from objects/<bucket>/<key> beside the event file: uploaded into the local
  stack's S3 first, or read from the file by a dry run.`;

interface EventFile {
  file: string;
  shape: EventShape;
  event: unknown;
}

interface Outcome {
  file: string;
  shape: EventShape;
  summary?: BatchSummary;
  error?: string;
  /** Documents (or payloads) not delivered: dead-lettered, or left for AWS to retry. */
  failed: number;
}

function collect(paths: string[]): string[] {
  const files: string[] = [];
  for (const p of paths) {
    if (statSync(p).isDirectory()) {
      const entries = readdirSync(p, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.json'))
        .sort();
      files.push(...entries.map((f) => join(p, f)));
    } else files.push(p);
  }
  return files;
}

function load(file: string): EventFile {
  let event: unknown;
  try {
    event = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return { file, shape: 'unknown', event: `not JSON: ${(err as Error).message}` };
  }
  return { file, shape: eventShape(event), event };
}

/** A file that is no Lambda event of a trigger logferry has: reported, never counted as a failure. */
function unsupported(f: EventFile): Outcome {
  return {
    file: f.file,
    shape: f.shape,
    failed: 0,
    error: `not a Lambda event this build replays (${f.shape})`,
  };
}

async function runDry(files: EventFile[], configFile: string, json: boolean): Promise<Outcome[]> {
  const config = loadConfig(configFile);
  // One for the whole run, so a fingerprint seen in two files alerts once, as it would live.
  const alerts = createDryRunAlertSink(config.alerts, readEnv(process.env).region);
  const enrich = createEnrichment(config);
  const outcomes: Outcome[] = [];
  for (const f of files) {
    if (f.shape !== 'cloudwatch-logs' && f.shape !== 'kinesis' && f.shape !== 's3') {
      outcomes.push(unsupported(f));
      continue;
    }
    const sinks = { ...createRecordingSinks(), alert: alerts };
    const sent = alerts.messages.length;
    const deadline = Date.now() + 60_000;
    const deps = { config, sinks, enrich };
    const result =
      f.shape === 'kinesis'
        ? { ...(await ingestKinesis(f.event as never, deps, deadline)), messageType: 'kinesis' }
        : f.shape === 's3'
          ? {
              ...(await ingestS3(
                f.event,
                { ...deps, objects: fileObjectStore(samplesRoot(f.file)) },
                deadline,
              )),
              messageType: 's3',
            }
          : await ingestCloudWatchLogs(f.event as never, deps, deadline);
    const summary = summarize(result.report);
    outcomes.push({ file: f.file, shape: f.shape, summary, failed: summary.deadLettered });
    if (json) continue;
    console.log(`\n== ${f.file} (${result.messageType})`);
    for (const r of sinks.indexed) console.log(`${r.index}\t${boundedStringify(r.doc)}`);
    for (const a of sinks.archived) console.log(`archive\t${a.key}\t${a.rows.length} rows`);
    for (const d of sinks.deadLetters)
      console.log(`dead-letter\t${d.key}\t${d.entries.map((e) => e.error).join('; ')}`);
    for (const a of alerts.messages.slice(sent))
      console.log(`alert → ${a.webhook}\n${slackText(a.message)}`);
  }
  return outcomes;
}

/** A Slack message as the lines a reader would see, for the dry run. */
function slackText(message: SlackMessage): string {
  const lines: string[] = [];
  for (const block of message.blocks as {
    type: string;
    text?: { text: string };
    elements?: { text: string }[];
  }[]) {
    if (block.text) lines.push(...block.text.text.split('\n'));
    for (const e of block.elements ?? []) lines.push(...e.text.split('\n'));
  }
  return lines.map((l) => `  │ ${l}`).join('\n');
}

async function runLive(
  files: EventFile[],
  cli: CliRun<typeof OPTIONS>,
  configFile: string,
): Promise<Outcome[]> {
  const started = await cli.localStack();
  if (started.length && !cli.values.json) console.log(`started ${started.join(', ')}`);
  // The functions read only validated JSON, as in Lambda: validate logferry.yml as serverless package would.
  const { file, config } = writeValidatedConfig(
    configFile,
    join(LOCAL_DIR, 'replay', 'logferry.json'),
  );
  cli.env.LOGFERRY_CONFIG = file;
  const client = createOpenSearchClient({ url: cli.env.OPENSEARCH_URL! });
  await installTemplates(client, config, { replicas: 0, refreshInterval: '1s' });
  // The handlers read process.env once, when imported, as in Lambda: set it, then import them.
  Object.assign(process.env, cli.env);
  const { handler } = await import('#functions/cloudwatch-logs.ts');
  const kinesis = await import('#functions/kinesis.ts');
  const s3 = await import('#functions/s3.ts');
  const s3Client = createS3Client({
    region: cli.env.AWS_REGION,
    endpoint: cli.env.AWS_ENDPOINT_URL,
  });
  const outcomes: Outcome[] = [];
  for (const f of files) {
    if (f.shape === 's3') {
      // The notification points at objects: put the sample objects where it says first.
      await uploadSamples(s3Client, sampleObjects(samplesRoot(f.file), f.event));
      // Direct S3 and EventBridge events are asynchronous invocations: a failure is a throw.
      const response = await s3
        .handler(f.event, lambdaContext('logferry-local-ingestS3'))
        .catch((err: Error) => err);
      if (response instanceof Error) {
        outcomes.push({
          file: f.file,
          shape: f.shape,
          failed: response instanceof DeliveryError ? response.pending : 1,
          error: `${response.name}: ${response.message}`,
        });
        continue;
      }
      // SQS answers with batchItemFailures (the summary rides along); S3 and EventBridge with the summary.
      const sqs = 'batchItemFailures' in response ? response : undefined;
      const summary = sqs ? sqs[BATCH_SUMMARY] : (response as BatchSummary);
      const failed = (sqs?.batchItemFailures ?? []).map((i) => i.itemIdentifier);
      outcomes.push({
        file: f.file,
        shape: f.shape,
        summary,
        failed: (summary?.deadLettered ?? 0) + failed.length,
        ...(failed.length
          ? {
              error: `batchItemFailures ${failed.join(', ')}: ${summary?.errors[0] ?? 'not delivered'}`,
            }
          : {}),
      });
      continue;
    }
    if (f.shape === 'kinesis') {
      const response = await kinesis.handler(
        f.event as never,
        lambdaContext('logferry-local-ingestKinesis'),
      );
      const summary = response[BATCH_SUMMARY];
      const failed = response.batchItemFailures[0]?.itemIdentifier;
      outcomes.push({
        file: f.file,
        shape: f.shape,
        summary,
        failed:
          (summary?.deadLettered ?? 0) +
          (failed ? (summary?.documents ?? 0) - (summary?.indexed ?? 0) : 0),
        ...(failed
          ? { error: `batchItemFailures from ${failed}: ${summary?.errors[0] ?? 'not delivered'}` }
          : {}),
      });
      continue;
    }
    if (f.shape !== 'cloudwatch-logs') {
      outcomes.push(unsupported(f));
      continue;
    }
    try {
      const summary = (await handler(
        f.event as never,
        lambdaContext('logferry-local-ingestCloudwatch'),
      )) as BatchSummary;
      outcomes.push({ file: f.file, shape: f.shape, summary, failed: summary.deadLettered });
    } catch (err) {
      const pending = err instanceof DeliveryError ? err.pending : 1;
      outcomes.push({
        file: f.file,
        shape: f.shape,
        failed: pending,
        error: `${(err as Error).name}: ${(err as Error).message}`,
      });
    }
  }
  await client.indices.refresh({ index: `${config.index.prefix}-*` }).catch(() => undefined);
  return outcomes;
}

async function indexCounts(indices: string[], url?: string): Promise<Record<string, number>> {
  if (indices.length === 0 || !url) return {};
  const client = createOpenSearchClient({ url });
  const out: Record<string, number> = {};
  for (const index of indices) {
    const { body } = await client.count({ index });
    out[index] = body.count;
  }
  return out;
}

function totals(outcomes: Outcome[]) {
  const t = {
    events: outcomes.length,
    documents: 0,
    indexed: 0,
    failed: 0,
    archived: 0,
    alerts: 0,
  };
  for (const o of outcomes) {
    t.documents += o.summary?.documents ?? 0;
    t.indexed += o.summary?.indexed ?? 0;
    t.archived += o.summary?.archived ?? 0;
    t.alerts += o.summary?.alerts?.sent ?? 0;
    t.failed += o.failed;
  }
  return t;
}

function printTable(
  outcomes: Outcome[],
  counts: Record<string, number>,
  dryRun: boolean,
  bucket = 'archive-bucket',
): void {
  const rows = outcomes.map((o) => [
    relative(process.cwd(), o.file),
    String(o.summary?.documents ?? '-'),
    String(o.summary?.indexed ?? '-'),
    String(o.summary?.archived ?? '-'),
    String(o.summary?.deadLettered ?? '-'),
    o.error ? `FAILED: ${o.error}` : o.summary?.deadLettered ? 'dead-lettered' : 'ok',
  ]);
  const head = [
    'event',
    'docs',
    dryRun ? 'would index' : 'indexed',
    'archived',
    'dead-letter',
    'result',
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  console.log(`\n${line(head)}`);
  for (const r of rows) console.log(line(r));

  const indices: Record<string, number> = {};
  const archiveKeys: string[] = [];
  const deadLetterKeys: string[] = [];
  for (const o of outcomes) {
    for (const [k, v] of Object.entries(o.summary?.indices ?? {}))
      indices[k] = (indices[k] ?? 0) + v;
    archiveKeys.push(...(o.summary?.archiveKeys ?? []));
    deadLetterKeys.push(...(o.summary?.deadLetterKeys ?? []));
  }
  console.log('\ndocuments per index');
  for (const [index, n] of Object.entries(indices).sort()) {
    const held = counts[index] === undefined ? '' : `   (OpenSearch now holds ${counts[index]})`;
    console.log(`  ${index.padEnd(36)} ${String(n).padStart(6)}${held}`);
  }
  console.log(`\narchive objects (${archiveKeys.length})`);
  for (const k of archiveKeys) console.log(`  s3://${bucket}/${k}`);
  if (deadLetterKeys.length) {
    console.log(`\ndead-letter objects (${deadLetterKeys.length})`);
    for (const k of deadLetterKeys) console.log(`  s3://${bucket}/${k}`);
  }
  const t = totals(outcomes);
  let suppressed = 0;
  let dropped = 0;
  for (const o of outcomes) {
    suppressed += o.summary?.alerts?.suppressed ?? 0;
    dropped += o.summary?.alerts?.dropped ?? 0;
  }
  const alertErrors = [...new Set(outcomes.flatMap((o) => o.summary?.alerts?.errors ?? []))];
  console.log(
    `\nalerts: ${t.alerts} ${dryRun ? 'would be sent' : 'sent'}, ${suppressed} suppressed (already alerted in their window), ${dropped} dropped`,
  );
  for (const e of alertErrors) console.log(`  ${e}`);
  console.log(
    `\n${t.events} events, ${t.documents} documents, ${t.indexed} ${dryRun ? 'would be indexed' : 'indexed'}, ${t.archived} archived, ${t.failed} failed`,
  );
}

const OPTIONS = {
  'dry-run': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  config: { type: 'string', default: 'logferry.yml' },
} as const;

async function main(cli: CliRun<typeof OPTIONS>): Promise<number> {
  const { values, positionals } = cli;
  if (positionals.length === 0) throw new UsageError('no event file or folder given');
  const files = collect(positionals).map(load);
  const dryRun = values['dry-run'];
  const outcomes = dryRun
    ? await runDry(files, values.config, values.json)
    : await runLive(files, cli, values.config);
  const indices = [...new Set(outcomes.flatMap((o) => Object.keys(o.summary?.indices ?? {})))];
  const counts = dryRun ? {} : await indexCounts(indices, cli.env.OPENSEARCH_URL);
  if (values.json) {
    const responses = outcomes.map((o) => ({
      file: o.file,
      ...(o.summary ?? {}),
      ...(o.error ? { error: o.error } : {}),
    }));
    console.log(JSON.stringify({ ...totals(outcomes), responses }));
  } else printTable(outcomes, counts, dryRun, cli.env.ARCHIVE_BUCKET);
  return outcomes.some((o) => o.error && o.shape !== 'unknown') ? 1 : 0;
}

runCli({ name: 'replay', usage: USAGE, options: OPTIONS, allowPositionals: true, run: main });
