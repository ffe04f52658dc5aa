// `npx tsx bench/hostile.ts [--no-batches]`: the slowest 256 KiB line shapes through the whole pipeline, false positives of the default redaction on the bench corpus, a 3 KB record of a million lines, and batches at the per-batch caps against Lambda's time (`--fanout N`, `--batch FILE`: one of them in this process).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { KinesisStreamEvent } from 'aws-lambda';
import { parseConfig } from '#shared/config/file.ts';
import type { Config } from '#shared/config/schema.ts';
import type { InputEvent } from '#shared/model.ts';
import { archiveRow } from '#shared/sinks/archive-keys.ts';
import { createRecordingSinks } from '#shared/sinks/recording.ts';
import { ingestKinesis } from '#shared/sources/kinesis.ts';
import { transformEvents } from '#shared/transform/transform-events.ts';
import { kinesisEvent, kinesisRecord, sequenceNumber } from '#test/helpers/kinesis-events.ts';
import { BENCH_DATASETS, fireLensLine, kinesisBatch, linesOf, nginxLine, T0 } from './data.ts';
import { createNullSinks } from './null-sinks.ts';
import { rng } from './random.ts';

const LINE = 256 * 1024;
const MiB = 1024 * 1024;

/** `make(salt)` repeated until about `n` characters. */
function upTo(n: number, make: (i: number) => string): string {
  let s = '';
  for (let i = 0; s.length < n; i++) s += make(i);
  return s;
}

/**
 * Shapes that were super-linear in redaction, JSON handling or time checks (issue 11), each ~256 KiB.
 * `salt` differs per run: a producer sends new names every line, so no run finds the last one's.
 */
const SHAPES: Record<string, (n: number, salt: number) => string> = {
  url_password_dots: (n) => `${'a.'.repeat(n / 2)} x://y@`,
  url_password_nginx_error: (n) =>
    `2025/11/20 10:00:00 [error] 12#12: *1 ${'a.'.repeat(n / 2 - 20)} x://y@`,
  email_local_run: (n) => `${'a.'.repeat(n / 2)}@`,
  named_values: (n) => 'password=a '.repeat(n / 11),
  named_values_distinct: (n, salt) => upTo(n, (i) => `p${salt}_${i}_password=a `),
  long_options: (n) => '--password a '.repeat(n / 13),
  json_keys_unterminated: (n) => '"password":"'.repeat(n / 12),
  jwt_heads: (n) => 'eyJ'.repeat(n / 3),
  token_prefixes: (n) => 'xoxb-'.repeat(n / 5),
  pem_without_end: (n) => '-----BEGIN RSA PRIVATE KEY-----\nMIIE'.repeat(n / 36),
  card_digits: (n) => '4 '.repeat(n / 2),
  json_deep: (n) => `${'{"a":'.repeat(n / 10)}1${'}'.repeat(n / 10)}`,
  json_wide_secrets: (n, salt) => {
    const pairs: string[] = [];
    for (let i = 0, len = 2; len < n; i++) {
      const pair = `"pw${salt}_${i}_password":"v${i}"`;
      pairs.push(pair);
      len += pair.length + 1;
    }
    return `{${pairs.join(',')}}`;
  },
};

/** The default rules plus `email`: everything redaction can run. */
const ALL_RULES = [
  'email',
  'secret_field',
  'provider_token',
  'jwt',
  'private_key',
  'aws_access_key',
  'bearer_token',
  'url_password',
  'credit_card',
] as const;

/** What became of the default rules on lines holding no secret. */
export interface FalsePositives {
  /** Per bench data set (bench/data.ts): documents, those with a masked value, masked values. */
  corpus: Record<string, { documents: number; masked_documents: number; masked_values: number }>;
  masked_documents: number;
  documents: number;
  /** Status prose applications log about secrets (`Token: expired`): lines, and how many were masked. */
  prose: { lines: number; masked: number; examples: string[] };
}

/** One batch run through ingestKinesis with sinks that do their CPU work and no I/O. */
export interface BatchRun {
  records: number;
  events: number;
  documents: number;
  text_mb: number;
  deferred: number;
  ms: number;
  cpu_ms: number;
  peak_rss_mb: number;
  /** Process CPU time over the 57 s a 60 s Lambda has before its 3 s deadline margin. */
  budget_share: number;
}

export interface HostileResult {
  /** Best of five, ms of process CPU time, per shape: transform (parse, redact, build) plus the archive row. */
  line_ms: Record<string, number>;
  worst_line_ms: number;
  worst_shape: string;
  false_positives?: FalsePositives;
  fanout?: { documents: number; dead_letter_entries: number; ms: number; peak_rss_mb: number };
  /** Batches at the default caps, each in a fresh process (its own peak RSS). */
  batch?: Record<string, BatchRun | { error: string }>;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * CPU time rather than wall time: a shared machine's other work stretches the wall clock, not the
 * work done, and a Lambda of 1,769 MB has its vCPU to itself.
 */
function lineMs(config: Config, make: (salt: number) => string): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    const event = {
      id: 'e',
      timestamp: Date.UTC(2025, 10, 20),
      message: make(i),
      source: { logGroup: '/bench' },
      recordId: 'r',
    };
    const start = cpuMs();
    const { routed } = transformEvents([event], config);
    for (const r of routed) archiveRow(r);
    best = Math.min(best, cpuMs() - start);
  }
  return best;
}

/**
 * Lines about secrets that hold none: what an application logs around authentication. The first
 * ones are the false positives fixed (they guard against their return); the last six were not tuned on.
 */
const PROSE = [
  'Token: expired',
  'token: invalid, refreshing',
  'password: incorrect for user 42',
  'Password reset requested for user 42',
  'auth: ok user=42',
  'api_key=missing in request',
  'secret: rotated',
  'token_type=Bearer expires_in=3600',
  'password_policy=strict min_length=12',
  'key=orders/42 bucket=invoices',
  'Authorization: denied',
  'session token refreshed for user 42',
  'docker login --password-stdin registry.example.com',
  '{"level":"info","msg":"login failed","password":"********"}',
  '{"event":"token_refresh","token":"null","userId":"u_42"}',
  'DB_PASSWORD=<unset>',
  'keyId=k-1 signature_version=4',
  'traceId=4bf92f3577b34da6a3ce929d0e0e4736 spanId=00f067aa0ba902b7',
  // Written after the rules were fixed for the lines above, and not tuned on:
  'client_secret: from env',
  'api_key: $API_KEY (variable not expanded)',
  'Secret "db-creds" not found in namespace prod',
  'passwordless: true',
  'auth: ok, token: none',
  'rotating signing key kid=2025-11 for tenant 42',
];

function masked(config: Config, lines: readonly string[], group: string) {
  const events: InputEvent[] = lines.map((message, i) => ({
    id: `e${i}`,
    timestamp: T0,
    message,
    source: { logGroup: group, logStream: 's' },
    recordId: 'r',
  }));
  const { routed } = transformEvents(events, config);
  let documents = 0;
  let values = 0;
  const examples: string[] = [];
  for (const r of routed) {
    const n = JSON.stringify(r.doc).split('[REDACTED]').length - 1;
    if (n === 0) continue;
    documents++;
    values += n;
    if (examples.length < 5) examples.push(r.raw.slice(0, 120));
  }
  return { documents: routed.length, masked_documents: documents, masked_values: values, examples };
}

/** Default rules over 20,000 lines of each bench data set (generated, no secret in them) and PROSE. */
export function falsePositives(): FalsePositives {
  const config = parseConfig({ version: 1 });
  const corpus: FalsePositives['corpus'] = {};
  let documents = 0;
  let maskedDocuments = 0;
  for (const d of BENCH_DATASETS) {
    const r = rng(7);
    const lines: string[] = [];
    for (let t = T0; lines.length < 20_000; t += 7) lines.push(...linesOf(d, r, t));
    const m = masked(config, lines, `/bench/${d}`);
    corpus[d] = {
      documents: m.documents,
      masked_documents: m.masked_documents,
      masked_values: m.masked_values,
    };
    documents += m.documents;
    maskedDocuments += m.masked_documents;
  }
  const prose = masked(config, PROSE, '/bench/prose');
  return {
    corpus,
    documents,
    masked_documents: maskedDocuments,
    prose: { lines: PROSE.length, masked: prose.masked_documents, examples: prose.examples },
  };
}

/** The million-line record, in this process: run in a fresh one so its peak RSS is its own. */
async function fanout(lines: number): Promise<NonNullable<HostileResult['fanout']>> {
  const config = parseConfig({ version: 1 });
  const sinks = createRecordingSinks();
  // Nothing kept: only what the pipeline itself holds counts.
  sinks.index = { index: async (items) => items.map(() => ({ status: 'indexed' as const })) };
  sinks.archive = {
    archive: async (objects) => ({ written: objects.map((o) => o.key), failed: [] }),
  };
  const data = gzipSync('x\n'.repeat(lines));
  const start = performance.now();
  const event = kinesisEvent([kinesisRecord(data, { seq: sequenceNumber(0) })]);
  const { report } = await ingestKinesis(event, { config, sinks }, Date.now() + 60_000);
  return {
    documents: report.documents,
    dead_letter_entries: report.deadLettered,
    ms: Math.round(performance.now() - start),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

/** A batch and the decoded text it holds, in UTF-16 units. */
interface Batch {
  event: KinesisStreamEvent;
  text: number;
}

/** Records of `perRecord` lines each, gzipped (a Kinesis record holds up to 1 MB). */
function linesBatch(lines: readonly string[], perRecord: number): Batch {
  const records = [];
  let chars = 0;
  for (let i = 0; i * perRecord < lines.length; i++) {
    const text = lines.slice(i * perRecord, (i + 1) * perRecord).join('\n');
    chars += text.length;
    records.push(kinesisRecord(gzipSync(text), { seq: sequenceNumber(i) }));
  }
  return { event: kinesisEvent(records), text: chars };
}

/**
 * Batches an invocation may have to take whole: a real 6 MB batch (CloudWatch Logs payloads), and
 * batches at each default cap with the lines that cost most there: 200,000 short nginx lines at the
 * event cap; about 60 MiB of FireLens records, then of the worst 256 KiB line, under the text cap.
 */
const BATCHES: Record<string, () => Batch> = {
  real_6mb: () => {
    const b = kinesisBatch();
    return { event: b.event, text: b.uncompressedBytes };
  },
  events_cap_nginx: () => {
    const r = rng(3);
    return linesBatch(
      Array.from({ length: 200_000 }, (_, i) => nginxLine(r, T0 + i)),
      10_000,
    );
  },
  text_cap_firelens: () => {
    const r = rng(4);
    const lines: string[] = [];
    for (let len = 0, t = T0; len < 60 * MiB; t++) {
      const line = fireLensLine(r, t);
      lines.push(line);
      len += line.length + 1;
    }
    return linesBatch(lines, 5000);
  },
  text_cap_worst_line: () =>
    linesBatch(
      Array.from({ length: 240 }, (_, i) => SHAPES.json_wide_secrets!(LINE, i)),
      8,
    ),
};

/** Runs the batch written to `file` (by writeBatch): the process holds what a Lambda would, no generator. */
async function batchRun(file: string): Promise<BatchRun> {
  const config = parseConfig({ version: 1 });
  const { event, text } = JSON.parse(readFileSync(file, 'utf8')) as Batch;
  const sinks = createNullSinks(config, { gzip: true });
  const wall = performance.now();
  const cpu = cpuMs();
  const { report } = await ingestKinesis(event, { config, sinks }, Date.now() + 600_000);
  const cpuTaken = cpuMs() - cpu;
  return {
    records: event.Records.length,
    events: report.events,
    documents: report.documents,
    text_mb: Math.round((text / MiB) * 10) / 10,
    deferred: report.deferred,
    ms: Math.round(performance.now() - wall),
    cpu_ms: Math.round(cpuTaken),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    budget_share: Math.round((cpuTaken / 57_000) * 100) / 100,
  };
}

function child(args: string[]): unknown {
  const run = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, ...args], {
    encoding: 'utf8',
    timeout: 300_000,
    maxBuffer: 16 * MiB,
  });
  const last = run.stdout.trim().split('\n').pop();
  if (run.status !== 0 || !last) return { error: run.stderr.trim().split('\n').pop() ?? 'failed' };
  return JSON.parse(last);
}

/**
 * Times every shape through the pipeline (redaction on, the default rules plus email), counts the
 * false positives, and runs the fan-out record and the capped batches in child processes.
 *
 * @example
 * const r = await benchHostile(); r.worst_line_ms // ≤ 50 is the target
 */
export async function benchHostile(opts: { batches?: boolean } = {}): Promise<HostileResult> {
  const config = parseConfig({ version: 1, redact: { rules: [...ALL_RULES] } });
  const line_ms: Record<string, number> = {};
  for (const [name, make] of Object.entries(SHAPES))
    line_ms[name] = Math.round(lineMs(config, (salt) => make(LINE, salt)) * 10) / 10;
  const [worst_shape, worst_line_ms] = Object.entries(line_ms).sort((a, b) => b[1] - a[1])[0]!;
  const out: HostileResult = { line_ms, worst_line_ms, worst_shape };
  out.false_positives = falsePositives();
  const f = child(['--fanout', '1000000']);
  if (f && !(f as { error?: string }).error) out.fanout = f as HostileResult['fanout'];
  if (opts.batches !== false) {
    out.batch = {};
    const dir = path.join(import.meta.dirname, '..', '.local', 'bench');
    mkdirSync(dir, { recursive: true });
    for (const [name, make] of Object.entries(BATCHES)) {
      const file = path.join(dir, `hostile-${name}.json`);
      writeFileSync(file, JSON.stringify(make()));
      out.batch[name] = child(['--batch', file]) as BatchRun | { error: string };
      rmSync(file, { force: true });
    }
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      fanout: { type: 'string' },
      batch: { type: 'string' },
      'no-batches': { type: 'boolean' },
    },
  });
  const result = values.fanout
    ? await fanout(Number(values.fanout))
    : values.batch
      ? await batchRun(values.batch)
      : await benchHostile({ batches: !values['no-batches'] });
  console.log(JSON.stringify(result));
}
