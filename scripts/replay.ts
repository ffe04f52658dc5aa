// `npm run replay -- PATH... [--dry-run] [--json]`: runs the real handlers on saved events against the local stack.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import type { SlackMessage } from '#shared/alerts/block-kit.ts';
import { createRecordingAlertSink } from '#shared/alerts/dry-run.ts';
import { createOpenSearchClient } from '#shared/clients/opensearch.ts';
import { loadConfig } from '#shared/config/load.ts';
import { DeliveryError } from '#shared/errors.ts';
import { installTemplates } from '#shared/ops/templates.ts';
import { type BatchSummary, summarize } from '#shared/report.ts';
import { createRecordingSinks } from '#shared/sinks/recording.ts';
import { ingestCloudWatchLogs } from '#shared/sources/cloudwatch-logs.ts';
import { BATCH_SUMMARY, ingestKinesis } from '#shared/sources/kinesis.ts';
import { type EventShape, eventShape } from '#shared/sources/shape.ts';
import { lambdaContext } from '#test/helpers/lambda-context.ts';

const USAGE = 'usage: npm run replay -- PATH... [--dry-run] [--json]';

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
  const alerts = createRecordingAlertSink(config.alerts, process.env.AWS_REGION ?? 'us-east-1');
  const outcomes: Outcome[] = [];
  for (const f of files) {
    if (f.shape !== 'cloudwatch-logs' && f.shape !== 'kinesis') {
      outcomes.push(unsupported(f));
      continue;
    }
    const sinks = { ...createRecordingSinks(), alert: alerts };
    const sent = alerts.messages.length;
    const deadline = Date.now() + 60_000;
    const result =
      f.shape === 'kinesis'
        ? {
            ...(await ingestKinesis(f.event as never, { config, sinks }, deadline)),
            messageType: 'kinesis',
          }
        : await ingestCloudWatchLogs(f.event as never, { config, sinks }, deadline);
    const summary = summarize(result.report);
    outcomes.push({ file: f.file, shape: f.shape, summary, failed: summary.deadLettered });
    if (json) continue;
    console.log(`\n== ${f.file} (${result.messageType})`);
    for (const r of sinks.indexed) console.log(`${r.index}\t${JSON.stringify(r.doc)}`);
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

async function runLive(files: EventFile[], json: boolean): Promise<Outcome[]> {
  // Loaded only here: a dry run must not need (or touch) the local stack.
  const { ensureStack, localEnv } = await import('./local/stack.ts');
  const { started } = await ensureStack();
  if (started.length && !json) console.log(`started ${started.join(', ')}`);
  Object.assign(process.env, localEnv());
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  // EMF lines on stdout would bury the table and break --json; metrics matter in Lambda only.
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const config = loadConfig(process.env.LOGFERRY_CONFIG ?? 'logferry.yml');
  const client = createOpenSearchClient({ url: process.env.OPENSEARCH_URL! });
  await installTemplates(client, config, { replicas: 0, refreshInterval: '1s' });
  // Imported only now: the handler reads its environment once, at load, as in Lambda.
  const { handler } = await import('#functions/cloudwatch-logs.ts');
  const kinesis = await import('#functions/kinesis.ts');
  const outcomes: Outcome[] = [];
  for (const f of files) {
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

async function indexCounts(indices: string[]): Promise<Record<string, number>> {
  if (indices.length === 0 || !process.env.OPENSEARCH_URL) return {};
  const client = createOpenSearchClient({ url: process.env.OPENSEARCH_URL });
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

function printTable(outcomes: Outcome[], counts: Record<string, number>, dryRun: boolean): void {
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
  const bucket = process.env.ARCHIVE_BUCKET ?? 'archive-bucket';
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

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      config: { type: 'string', default: 'logferry.yml' },
      help: { type: 'boolean' },
    },
  });
  if (values.help || positionals.length === 0) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const files = collect(positionals).map(load);
  if (values.config !== 'logferry.yml') process.env.LOGFERRY_CONFIG = values.config;
  const dryRun = values['dry-run'];
  const outcomes = dryRun
    ? await runDry(files, values.config, values.json)
    : await runLive(files, values.json);
  const indices = [...new Set(outcomes.flatMap((o) => Object.keys(o.summary?.indices ?? {})))];
  const counts = dryRun ? {} : await indexCounts(indices);
  if (values.json) {
    const responses = outcomes.map((o) => ({
      file: o.file,
      ...(o.summary ?? {}),
      ...(o.error ? { error: o.error } : {}),
    }));
    console.log(JSON.stringify({ ...totals(outcomes), responses }));
  } else printTable(outcomes, counts, dryRun);
  return outcomes.some((o) => o.error && o.shape !== 'unknown') ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`replay: ${(err as Error).stack ?? err}`);
    process.exitCode = 1;
  },
);
