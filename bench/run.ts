// `npm run bench [-- --quick] [--only parse,pipeline,cold_start,e2e,memory,hostile] [--no-readme]`: measures, prints a table, writes bench/results.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchHostile, type HostileResult } from '#bench/hostile.ts';
import { benchEnrich, benchParse, type EnrichBench } from '#bench/parse.ts';
import { benchS3Object, benchS3Parse, type S3ObjectResult } from '#bench/s3.ts';
import { ensureBucket } from '#scripts/local/moto.ts';
import { ensureStack, localEnv, stopStack } from '#scripts/local/stack.ts';
import { createOpenSearchClient } from '#shared/clients/opensearch.ts';
import { createS3Client } from '#shared/clients/s3.ts';
import { loadConfig } from '#shared/config/yaml.ts';
import { type Bundle, buildBundles, writeValidatedConfig } from './bundles.ts';
import { benchColdStart, type ColdStart } from './cold-start.ts';
import { lambdaCost } from './cost.ts';
import { cloudWatchEvents } from './data.ts';
import { benchE2e, type E2eResult } from './e2e.ts';
import {
  BENCH_BUCKET,
  BENCH_PREFIX,
  deleteBenchBucket,
  deleteBenchIndices,
  deleteBenchTemplate,
  installBenchTemplate,
  RAW_PREFIX,
  writeBenchConfig,
} from './local.ts';
import { benchMemory, type MemoryResult } from './memory.ts';
import { benchPipeline, type PipelineResult, round } from './pipeline.ts';
import { figuresTable, fmt, type Target, target, targetsTable, updateReadme } from './report.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const WORK = path.join(ROOT, '.local', 'bench');
const SECTIONS = ['parse', 'pipeline', 'cold_start', 'e2e', 'memory', 'hostile', 's3'] as const;
type Section = (typeof SECTIONS)[number];

/** Sizes of each run: `--quick` stays under 3 minutes on a busy 2-core machine, stack start included. */
const MODES = {
  quick: {
    parseMs: 300,
    pipelineEvents: 8,
    pipelineMs: 4_000,
    e2eEvents: 8,
    importRuns: 5,
    s3ObjectMb: 10,
  },
  full: {
    parseMs: 1_000,
    pipelineEvents: 16,
    pipelineMs: 15_000,
    e2eEvents: 24,
    importRuns: 15,
    s3ObjectMb: 100,
  },
};

interface Results {
  generated_at: string;
  mode: 'quick' | 'full';
  machine: Record<string, unknown>;
  parse: Record<string, number> | null;
  /** Cost of each optional enrichment (CPU µs per event, RSS and bundle bytes). */
  enrich: EnrichBench | null;
  hostile: HostileResult | null;
  s3: { parse: Record<string, number>; object: S3ObjectResult } | null;
  pipeline_cpu_us_per_event: number | null;
  pipeline: PipelineResult | null;
  e2e: E2eResult | null;
  memory: MemoryResult | null;
  cold_start: Record<string, ColdStart> | null;
  cost: ReturnType<typeof lambdaCost> | null;
  targets: Target[];
  errors: Record<string, string>;
}

const log = (line: string) => console.error(`bench: ${line}`);

function machine(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu: cpus[0]?.model ?? 'unknown',
    cpus: cpus.length,
    memory_gb: round(os.totalmem() / 2 ** 30, 1),
    loadavg_start: os.loadavg().map((l) => round(l, 2)),
  };
}

function targets(r: Results): Target[] {
  const out: Target[] = [
    target('pipeline CPU per event', r.pipeline_cpu_us_per_event, 'max', 10, 'µs'),
    ...['nginx.access', 'apache.access', 'haproxy.http'].map((d) =>
      target(`${d} parsing, one core`, r.parse?.[d], 'min', 200_000, 'lines/s'),
    ),
    // A route pinning a declared format reads its lines with no detection: issue 13's 300k target.
    ...['declared.nginx', 'declared.apache', 'declared.haproxy'].map((d) =>
      target(`${d} parsing, one core`, r.parse?.[d], 'min', 300_000, 'lines/s'),
    ),
    target('e2e ratio (handler / raw bulk)', r.e2e?.ratio, 'min', 0.9, ''),
    target(
      'Kinesis 6 MB batch peak RSS',
      r.memory?.kinesis_6mb_peak_rss_mb,
      'max',
      400,
      'MB',
      r.memory?.details.kinesis_6mb_peak_rss_mb?.error as string | undefined,
    ),
    target(
      'CloudWatch 1 MB event peak RSS',
      r.memory?.cwl_1mb_peak_rss_mb,
      'max',
      200,
      'MB',
      r.memory?.details.cwl_1mb_peak_rss_mb?.error as string | undefined,
    ),
  ];
  // Read through the S3 handler in slices, an object of any size stays within a Kinesis batch's bound.
  out.push(
    target(
      `${r.s3?.object.details.object_mb ?? 100} MB gzip ALB object peak RSS`,
      r.s3?.object.peak_rss_mb,
      'max',
      400,
      'MB',
      r.s3?.object.details.error as string | undefined,
    ),
  );
  out.push(
    target('worst 256 KiB line, redaction on', r.hostile?.worst_line_ms, 'max', 50, 'ms'),
    target('3 KB → 1M-line record peak RSS', r.hostile?.fanout?.peak_rss_mb, 'max', 400, 'MB'),
  );
  for (const [name, c] of Object.entries(r.cold_start ?? {})) {
    out.push(target(`${name} bundle size`, c.bundle_bytes, 'max', 1_000_000, 'bytes', c.error));
    out.push(target(`${name} import time`, c.import_ms, 'max', 100, 'ms', c.error));
  }
  return out;
}

function figures(r: Results): [string, string][] {
  const rows: [string, string][] = [];
  for (const [d, v] of Object.entries(r.parse ?? {}))
    rows.push([`parse ${d}`, `${fmt(v)} lines/s`]);
  for (const [d, v] of Object.entries(r.s3?.parse ?? {}))
    rows.push([`parse ${d} (S3 object lines)`, `${fmt(v)} lines/s`]);
  const o = r.s3?.object.details;
  if (o && !o.error)
    rows.push([
      `S3 handler: ${o.object_mb} MB gzip ALB object (${o.text_mb} MB, ${fmt(o.lines as number)} lines), null sinks`,
      `${fmt(o.lines_per_cpu_s as number)} lines per CPU second, ${o.cpu_s} s CPU, ${o.invoke_s} s wall`,
    ]);
  const en = r.enrich;
  if (en) {
    rows.push([
      'enrich user_agent',
      `${en.user_agent_cached_us} µs/event cached, ${en.user_agent_uncached_us} µs uncached; ${fmt(en.user_agent_bundle_bytes)} bundle bytes`,
    ]);
    rows.push([
      'enrich geoip (country db)',
      `${en.geoip_cached_us} µs/event cached, ${en.geoip_uncached_us} µs uncached; ${fmt(en.geoip_bundle_bytes)} bundle bytes; +${fmt(en.geoip_rss_bytes)} RSS for a ${fmt(en.geoip_file_bytes)}-byte file`,
    ]);
  }
  const p = r.pipeline;
  if (p) {
    rows.push([
      'pipeline CPU per event',
      `${p.cpu_us_per_event} µs (${p.cpu_us_per_document} µs per document)`,
    ]);
    rows.push([
      '  stages: decode / transform / index serialise / archive serialise',
      `${p.stages.decode} / ${p.stages.transform} / ${p.stages.index_serialise} / ${p.stages.archive_serialise} µs`,
    ]);
    rows.push(['  + gzip of bulk and archive bodies', `${p.gzip_cpu_us_per_event} µs`]);
    for (const [d, v] of Object.entries(p.by_dataset))
      rows.push([`  ${d}`, `${v.cpu_us_per_event} µs (${fmt(v.events_per_s)} events/s)`]);
  }
  const e = r.e2e;
  if (e) {
    rows.push(['e2e handler', `${fmt(e.docs_per_s)} docs/s`]);
    rows.push(['e2e raw bulk ceiling', `${fmt(e.raw_bulk_docs_per_s)} docs/s`]);
    const per = (ms: number) => `${Math.round(ms / e.events)} ms`;
    rows.push([
      'e2e time per 1 MB event: handler (of which index sink) / raw bulk',
      `${per(e.handler_ms)} (${per(e.handler_index_ms)}) / ${per(e.raw_ms)}`,
    ]);
    rows.push([
      'e2e ratio',
      `${e.ratio} (${e.events} events, ${fmt(e.documents)} docs, ${e.bulk_requests} bulks of ${fmt(e.bulk_body_bytes)} B, concurrency ${e.concurrency})`,
    ]);
  }
  const m = r.memory;
  if (m) {
    rows.push([
      'Kinesis 6 MB batch peak RSS',
      m.kinesis_6mb_peak_rss_mb === null
        ? `n/a: ${m.details.kinesis_6mb_peak_rss_mb?.error}`
        : `${m.kinesis_6mb_peak_rss_mb} MB`,
    ]);
    rows.push([
      'CloudWatch 1 MB event peak RSS',
      m.cwl_1mb_peak_rss_mb === null
        ? `n/a: ${m.details.cwl_1mb_peak_rss_mb?.error}`
        : `${m.cwl_1mb_peak_rss_mb} MB`,
    ]);
  }
  for (const [name, c] of Object.entries(r.cold_start ?? {})) {
    rows.push([
      `cold start ${name}`,
      c.error && c.import_ms === null
        ? `n/a: ${c.error}`
        : `${fmt(c.bundle_bytes)} B bundle (${fmt(c.bundle_gzip_bytes)} B gzipped), import ${c.import_ms} ms (${c.import_ms_no_source_maps} ms without source maps)`,
    ]);
  }
  const c = r.cost;
  if (c) {
    rows.push([
      'cost per GB of logs (CPU-bound)',
      `${c.gb_s_per_gb} GB-s = $${c.usd_per_gb} (+ $${c.request_usd_per_gb} requests)`,
    ]);
    if (c.e2e_usd_per_gb !== null)
      rows.push([
        'cost per GB of logs (e2e wall time)',
        `${c.e2e_gb_s_per_gb} GB-s = $${c.e2e_usd_per_gb}`,
      ]);
  }
  return rows;
}

async function runStackSections(
  want: (s: Section) => boolean,
  bundles: Bundle[],
  config: ReturnType<typeof loadConfig>,
  mode: (typeof MODES)['quick'],
  results: Results,
): Promise<void> {
  log('local stack: starting what is not running');
  const { started } = await ensureStack({ services: ['opensearch', 'moto'], log });
  const configFile = path.join(WORK, 'logferry.bench.yml');
  writeBenchConfig(path.join(ROOT, 'logferry.yml'), configFile);
  // The bundles read only validated JSON, as deployed; the e2e handler (from source) reads it too.
  const validatedFile = path.join(WORK, 'logferry.bench.json');
  writeValidatedConfig(configFile, validatedFile);
  const env: Record<string, string> = {
    ...localEnv(),
    ARCHIVE_BUCKET: BENCH_BUCKET,
    LOGFERRY_CONFIG: validatedFile,
    LOGFERRY_STAGE: 'bench',
    POWERTOOLS_LOG_LEVEL: 'WARN',
    // EMF lines would bury the table; metrics cost nothing worth measuring here.
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
  Object.assign(process.env, env);
  const client = createOpenSearchClient({ url: env.OPENSEARCH_URL! });
  const s3 = createS3Client({ region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL });
  try {
    await ensureBucket({
      endpoint: env.AWS_ENDPOINT_URL!,
      region: env.AWS_REGION!,
      bucket: BENCH_BUCKET,
      accessKeyId: env.AWS_ACCESS_KEY_ID!,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY!,
    });
    await deleteBenchIndices(client);
    await installBenchTemplate(client, config.index.refresh_interval);
    if (want('e2e')) {
      log(`e2e: ${mode.e2eEvents} × 1 MB CloudWatch Logs events, handler vs raw bulk`);
      try {
        // Imported only now: the handler reads its environment once, at load, as in Lambda.
        const { handler } = await import('#functions/cloudwatch-logs.ts');
        const benchConfig = loadConfig(configFile);
        results.e2e = await benchE2e({
          handler: handler as never,
          events: cloudWatchEvents(mode.e2eEvents, 100).map((e) => e.event),
          warmup: cloudWatchEvents(1, 99)[0]!.event,
          config: benchConfig,
          url: env.OPENSEARCH_URL!,
          client,
          prefix: BENCH_PREFIX,
          rawPrefix: RAW_PREFIX,
        });
      } catch (err) {
        results.errors.e2e = (err as Error).message;
        log(`e2e failed: ${(err as Error).message}`);
      }
    }
    if (want('memory')) {
      log('memory: 6 MB Kinesis batch and 1 MB CloudWatch Logs event, each in a fresh process');
      try {
        results.memory = await benchMemory(bundles, env, WORK);
      } catch (err) {
        results.errors.memory = (err as Error).message;
      }
    }
  } finally {
    const deleted = await deleteBenchIndices(client).catch(() => 0);
    await deleteBenchTemplate(client).catch(() => undefined);
    await deleteBenchBucket(s3).catch((err: Error) =>
      log(`could not remove bucket ${BENCH_BUCKET}: ${err.message}`),
    );
    s3.destroy();
    await client.close();
    log(`cleaned up ${deleted} bench indices`);
    if (started.length) {
      log(`stopping what the bench started: ${started.join(', ')}`);
      await stopStack(started);
    }
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      out: { type: 'string', default: path.join(ROOT, 'bench', 'results.json') },
      // The README keeps the latest full table; --no-readme leaves it alone (a partial or trial run).
      'no-readme': { type: 'boolean', default: false },
    },
  });
  const only = values.only?.split(',').map((s) => s.trim()) as Section[] | undefined;
  for (const s of only ?? [])
    if (!SECTIONS.includes(s))
      throw new Error(`unknown section ${s}; one of ${SECTIONS.join(', ')}`);
  const want = (s: Section) => !only || only.includes(s);
  const modeName = values.quick ? 'quick' : 'full';
  const mode = MODES[modeName];
  mkdirSync(WORK, { recursive: true });
  const started = performance.now();
  const config = loadConfig(path.join(ROOT, 'logferry.yml'));
  const results: Results = {
    generated_at: new Date().toISOString(),
    mode: modeName,
    machine: machine(),
    parse: null,
    enrich: null,
    hostile: null,
    s3: null,
    pipeline_cpu_us_per_event: null,
    pipeline: null,
    e2e: null,
    memory: null,
    cold_start: null,
    cost: null,
    targets: [],
    errors: {},
  };

  // A section that fails is reported and left null; the others still run.
  const section = async (name: Section, fn: () => Promise<void> | void) => {
    try {
      await fn();
    } catch (err) {
      results.errors[name] = (err as Error).message;
      log(`${name} failed: ${(err as Error).message}`);
    }
  };
  if (want('parse')) {
    log('parse: lines per second per family, one core');
    await section('parse', () => {
      results.parse = benchParse({ durationMs: mode.parseMs });
    });
    log('parse: what each enrichment costs per event');
    await section('parse', async () => {
      results.enrich = await benchEnrich({ durationMs: mode.parseMs });
    });
  }
  if (want('s3')) {
    log(
      `s3: AWS family parsing rates; a ${mode.s3ObjectMb} MB gzip ALB object through the S3 handler`,
    );
    await section('s3', async () => {
      results.s3 = {
        parse: benchS3Parse({ durationMs: mode.parseMs }),
        object: await benchS3Object({ mb: mode.s3ObjectMb, dir: WORK, root: ROOT }),
      };
    });
  }
  if (want('hostile')) {
    log('hostile: slowest 256 KiB line shapes through the pipeline; a 3 KB record of 1M lines');
    await section('hostile', async () => {
      results.hostile = await benchHostile();
    });
  }
  if (want('pipeline')) {
    log(
      `pipeline: ${mode.pipelineEvents} × 1 MB events through decode, parse, route and serialise, null sinks`,
    );
    await section('pipeline', async () => {
      results.pipeline = await benchPipeline(cloudWatchEvents(mode.pipelineEvents, 1), config, {
        durationMs: mode.pipelineMs,
      });
      results.pipeline_cpu_us_per_event = results.pipeline.cpu_us_per_event;
    });
  }
  let bundles: Bundle[] = [];
  if (want('cold_start') || want('memory')) {
    log('bundles: esbuild with the settings of serverless.yml');
    bundles = await buildBundles(ROOT, path.join(WORK, 'bundles'));
  }
  // The bundles folder is laid out like the zip (functions/*.cjs, logferry.json at the root).
  const taskRoot = path.join(WORK, 'bundles');
  if (want('cold_start')) {
    log(`cold start: ${mode.importRuns} fresh imports per bundle`);
    await section('cold_start', async () => {
      writeValidatedConfig(path.join(ROOT, 'logferry.yml'), path.join(taskRoot, 'logferry.json'));
      // The environment serverless.yml gives a deployed function: no SLACK_WEBHOOK_URL (the webhook
      // fetchers are set up at import, as in Lambda), no LOGFERRY_CONFIG (logferry.json is found
      // through LAMBDA_TASK_ROOT).
      const { SLACK_WEBHOOK_URL: _local, ...stack } = localEnv();
      results.cold_start = await benchColdStart(
        bundles,
        {
          ...stack,
          ARCHIVE_BUCKET: BENCH_BUCKET,
          LAMBDA_TASK_ROOT: taskRoot,
          LOGFERRY_STAGE: 'bench',
          // As serverless.yml sets it: the user's alert rules need a webhook to name at cold start.
          SLACK_WEBHOOK_PARAM: '/logferry/bench/slack-webhook',
          SUBSCRIPTION_DESTINATION_ARN:
            'arn:aws:lambda:us-east-1:123456789012:function:logferry-bench-ingestCloudwatch',
        },
        mode.importRuns,
      );
    });
  }
  if (want('e2e') || want('memory')) {
    await section(want('e2e') ? 'e2e' : 'memory', () =>
      runStackSections(want, bundles, config, mode, results),
    );
  }

  if (results.pipeline) {
    const p = results.pipeline;
    results.cost = lambdaCost({
      cpuUsPerEvent: p.cpu_us_per_event,
      gzipUsPerEvent: p.gzip_cpu_us_per_event,
      bytesPerEvent: p.bytes_per_event,
      eventsPerInvocation: p.events / mode.pipelineEvents,
      e2eDocsPerS: results.e2e?.docs_per_s ?? null,
      docsPerEvent: p.documents / p.events,
    });
  }
  results.targets = targets(results);
  results.machine.loadavg_end = os.loadavg().map((l) => round(l, 2));
  results.machine.seconds = round((performance.now() - started) / 1000, 1);

  writeFileSync(values.out, `${JSON.stringify(results, null, 2)}\n`);
  const text = [
    `Run: \`npm run bench${values.quick ? ' -- --quick' : ''}\`, ${results.generated_at}, Node ${process.version}, ${results.machine.cpus} × ${results.machine.cpu}, load average ${(results.machine.loadavg_start as number[]).join(' ')} at the start and ${(results.machine.loadavg_end as number[]).join(' ')} at the end, ${results.machine.seconds} s.`,
    '',
    targetsTable(results.targets),
    '',
    figuresTable(figures(results)),
    ...Object.entries(results.errors).map(([k, v]) => `\n${k} failed: ${v}`),
  ].join('\n');
  console.log(`\n${text}\n`);
  console.log(`wrote ${path.relative(process.cwd(), values.out)}`);
  if (!values['no-readme'] && !only) updateReadme(path.join(ROOT, 'bench', 'README.md'), text);
  return Object.keys(results.errors).length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`bench: ${(err as Error).stack ?? err}`);
    process.exitCode = 1;
  },
);
