// `npm run bench [-- --quick] [--only parse,pipeline,cold_start,forwarder,memory,hostile] [--no-readme] [--profile] [--corpora nginx,json]`: measures, prints a table, writes bench/results.json.
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
import { type Bundle, buildBundle, buildBundles, writeValidatedConfig } from './bundles.ts';
import { forwarderChart } from './chart.ts';
import { benchColdStart, type ColdStart } from './cold-start.ts';
import { lambdaCost } from './cost.ts';
import { type BenchDataset, cloudWatchEvents } from './data.ts';
import { benchDeployed, type ForwarderRun } from './deployed.ts';
import { configuredMemoryMb, deployedEnv } from './lambda-env.ts';
import {
  BENCH_BUCKET,
  BENCH_PREFIX,
  deleteBenchBucket,
  deleteBenchIndices,
  deleteBenchTemplate,
  FORWARDER_PREFIX,
  FORWARDER_RAW_PREFIX,
  installBenchTemplate,
  installForwarderTemplate,
  RAW_PREFIX,
  writeBenchConfig,
} from './local.ts';
import { benchMemory, type MemoryResult } from './memory.ts';
import { benchPipeline, type PipelineResult, round } from './pipeline.ts';
import {
  figuresTable,
  fmt,
  markdownTable,
  type Target,
  target,
  targetsTable,
  updateReadme,
} from './report.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const WORK = path.join(ROOT, '.local', 'bench');
const SECTIONS = [
  'parse',
  'pipeline',
  'cold_start',
  'forwarder',
  'memory',
  'hostile',
  's3',
] as const;
type Section = (typeof SECTIONS)[number];

/** Sizes of each run: `--quick` stays under 3 minutes on a busy 2-core machine, stack start included. */
const MODES = {
  quick: {
    parseMs: 300,
    pipelineEvents: 8,
    pipelineMs: 4_000,
    forwarderEvents: 20,
    forwarderWarmup: 5,
    importRuns: 5,
    s3ObjectMb: 10,
  },
  full: {
    parseMs: 1_000,
    pipelineEvents: 16,
    pipelineMs: 15_000,
    forwarderEvents: 40,
    forwarderWarmup: 10,
    importRuns: 15,
    s3ObjectMb: 100,
  },
};
/** Log events per CloudWatch Logs event in the forwarder comparison (issue 12: 40 × 1,000 lines). */
const FORWARDER_LINES = 1_000;
const FORWARDER_CORPORA = ['nginx', 'json', 'firelens'] as const;

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
  forwarder: ForwarderRun['figures'] | null;
  forwarder_run: Omit<ForwarderRun, 'figures'> | null;
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

/** issue 12's limits: CPU per event of the deployed handler, by corpus. */
const CPU_LIMITS: Record<string, number> = { nginx: 12, json: 15, firelens: 18 };

function targets(r: Results): Target[] {
  const f = r.forwarder ?? {};
  const out: Target[] = [];
  for (const corpus of ['nginx', 'json']) {
    const note = r.forwarder_run?.errors[corpus];
    out.push(target(`${corpus}: handler ÷ forwarder docs/s`, f[corpus]?.ratio, 'min', 1, '', note));
  }
  for (const [corpus, limit] of Object.entries(CPU_LIMITS)) {
    const note = r.forwarder_run?.errors[corpus];
    out.push(
      target(
        `${corpus}: handler CPU per event`,
        f[corpus]?.handler_cpu_us_per_event,
        'max',
        limit,
        'µs',
        note,
      ),
    );
  }
  for (const corpus of ['nginx', 'json']) {
    const c = f[corpus];
    const ratio = c
      ? round(c.handler_store_bytes_per_doc / c.baseline_store_bytes_per_doc, 3)
      : null;
    out.push(target(`${corpus}: store bytes per doc ÷ forwarder's`, ratio, 'max', 1.2, ''));
  }
  out.push(
    target(
      'Kinesis 6 MB batch peak RSS',
      r.memory?.kinesis_6mb_peak_rss_mb,
      'max',
      384,
      'MB',
      r.memory?.details.kinesis_6mb_peak_rss_mb?.error as string | undefined,
    ),
    target(
      'CloudWatch 1 MB event peak RSS',
      r.memory?.cwl_1mb_peak_rss_mb,
      'max',
      128,
      'MB',
      r.memory?.details.cwl_1mb_peak_rss_mb?.error as string | undefined,
    ),
    ...['nginx.access', 'apache.access', 'haproxy.http'].map((d) =>
      target(`${d} parsing, one core`, r.parse?.[d], 'min', 200_000, 'lines/s'),
    ),
    // A route pinning a declared format reads its lines with no detection: issue 13's 300k target.
    ...['declared.nginx', 'declared.apache', 'declared.haproxy'].map((d) =>
      target(`${d} parsing, one core`, r.parse?.[d], 'min', 300_000, 'lines/s'),
    ),
    // Read through the S3 handler in slices, an object of any size stays within a Kinesis batch's bound.
    target(
      `${r.s3?.object.details.object_mb ?? 100} MB gzip ALB object peak RSS`,
      r.s3?.object.peak_rss_mb,
      'max',
      400,
      'MB',
      r.s3?.object.details.error as string | undefined,
    ),
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
  for (const [corpus, f] of Object.entries(r.forwarder ?? {})) {
    const d = r.forwarder_run?.details[corpus];
    rows.push([
      `${corpus}: docs/s handler / forwarder (ratio)`,
      `${fmt(f.handler_docs_per_s)} / ${fmt(f.baseline_docs_per_s)} (${f.ratio})`,
    ]);
    rows.push([
      `${corpus}: CPU µs per event handler / forwarder`,
      `${f.handler_cpu_us_per_event} / ${f.baseline_cpu_us_per_event}`,
    ]);
    rows.push([
      `${corpus}: peak RSS handler / forwarder`,
      `${f.handler_peak_rss_mb} / ${f.baseline_peak_rss_mb} MB`,
    ]);
    rows.push([
      `${corpus}: store bytes per doc handler / forwarder`,
      `${f.handler_store_bytes_per_doc} / ${f.baseline_store_bytes_per_doc}`,
    ]);
    rows.push([
      `${corpus}: OpenSearch CPU ms per 1,000 docs handler / forwarder`,
      `${f.opensearch_cpu_ms_per_1000_docs.handler} / ${f.opensearch_cpu_ms_per_1000_docs.baseline}`,
    ]);
    if (d) {
      rows.push([
        `${corpus}: raw-bulk ceiling docs/s of handler / forwarder bodies`,
        `${fmt(d.handler_ceiling_docs_per_s)} / ${fmt(d.baseline_ceiling_docs_per_s)} (handler ÷ own ceiling ${d.handler_vs_own_ceiling})`,
      ]);
      rows.push([
        `${corpus}: per invocation handler / forwarder`,
        `${d.handler_wall_ms_per_invocation} / ${d.baseline_wall_ms_per_invocation} ms; ${d.archive_objects_per_invocation} archive objects, ${d.handler_log_lines_per_invocation} log lines (${fmt(d.handler_log_bytes_per_invocation)} B), ${d.alerts_sent} alerts in ${d.events} events of ${d.lines_per_event} lines`,
      ]);
    }
  }
  if (r.forwarder_run)
    rows.push([
      'forwarder comparison load average',
      `${r.forwarder_run.loadavg.start.join(' ')} at the start, ${r.forwarder_run.loadavg.end.join(' ')} at the end; OpenSearch CPU from ${r.forwarder_run.opensearch_cpu_source}`,
    ]);
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
    for (const [corpus, v] of Object.entries(c.by_corpus))
      rows.push([
        `${corpus}: $ per GB of log text handler / forwarder (CPU-bound floor) / Firehose`,
        `$${v.handler.usd_per_gb} / $${v.baseline.usd_per_gb} ($${v.handler.cpu_bound_usd_per_gb} / $${v.baseline.cpu_bound_usd_per_gb}) / $${c.firehose_usd_per_gb}`,
      ]);
  }
  return rows;
}

/** The deployed handler against the forwarder, one row per corpus, with the ceilings and the load. */
function forwarderTable(r: Results): string[] {
  const f = r.forwarder;
  const run = r.forwarder_run;
  if (!f || !run || Object.keys(f).length === 0) return [];
  const rows = Object.entries(f).map(([corpus, c]) => {
    const d = run.details[corpus];
    return [
      corpus,
      `${fmt(c.handler_docs_per_s)} / ${fmt(c.baseline_docs_per_s)}`,
      String(c.ratio),
      d ? `${fmt(d.handler_ceiling_docs_per_s)} / ${fmt(d.baseline_ceiling_docs_per_s)}` : 'n/a',
      `${c.handler_cpu_us_per_event} / ${c.baseline_cpu_us_per_event}`,
      `${c.handler_peak_rss_mb} / ${c.baseline_peak_rss_mb}`,
      `${c.handler_store_bytes_per_doc} / ${c.baseline_store_bytes_per_doc}`,
      `${c.opensearch_cpu_ms_per_1000_docs.handler} / ${c.opensearch_cpu_ms_per_1000_docs.baseline}`,
    ];
  });
  return [
    markdownTable(
      [
        'corpus',
        'docs/s handler / forwarder',
        'ratio',
        'raw-bulk ceiling docs/s (own bodies)',
        'CPU µs/event',
        'peak RSS MB',
        'store B/doc',
        'OpenSearch CPU ms/1,000 docs',
      ],
      rows,
    ),
    '',
    `Forwarder comparison: ${Object.values(run.details)[0]?.events ?? '?'} × ${FORWARDER_LINES}-line events per corpus after ${Object.values(run.details)[0]?.warmup_invocations ?? '?'} warm-up invocations per instance, ABBA; load average ${run.loadavg.start.join(' ')} at its start, ${run.loadavg.end.join(' ')} at its end. Chart: [forwarder.svg](forwarder.svg).`,
    '',
  ];
}

/** A section that fails is reported and left null; the others still run. */
async function runSection(
  results: Results,
  name: Section,
  fn: () => Promise<void> | void,
): Promise<void> {
  try {
    await fn();
  } catch (err) {
    results.errors[name] = (err as Error).message;
    log(`${name} failed: ${(err as Error).message}`);
  }
}

async function runStackSections(
  want: (s: Section) => boolean,
  bundles: Bundle[],
  config: ReturnType<typeof loadConfig>,
  mode: (typeof MODES)['quick'],
  results: Results,
  profileDir: string | undefined,
  corpora: readonly BenchDataset[],
): Promise<void> {
  log('local stack: starting what is not running');
  const { started } = await ensureStack({ services: ['opensearch', 'moto', 'slack'], log });
  const configFile = path.join(WORK, 'logferry.bench.yml');
  writeBenchConfig(path.join(ROOT, 'logferry.yml'), configFile);
  // The bundles read only validated JSON, as deployed; the bench's own prebuilt bodies use it too.
  const validatedFile = path.join(WORK, 'logferry.bench.json');
  writeValidatedConfig(configFile, validatedFile);
  const stack: Record<string, string> = {
    ...localEnv(),
    ARCHIVE_BUCKET: BENCH_BUCKET,
    LOGFERRY_CONFIG: validatedFile,
    LOGFERRY_STAGE: 'bench',
    // As serverless.yml sets it; SLACK_WEBHOOK_URL (the local receiver) overrides it.
    SLACK_WEBHOOK_PARAM: '/logferry/bench/slack-webhook',
  };
  const env = deployedEnv(ROOT, 'logferry-bench-ingestCloudwatch', 'ingestCloudwatch', stack);
  // This process only prebuilds ceiling bodies and cleans up; the credentials are moto's.
  Object.assign(process.env, stack);
  const client = createOpenSearchClient({ url: stack.OPENSEARCH_URL! });
  const s3 = createS3Client({ region: stack.AWS_REGION, endpoint: stack.AWS_ENDPOINT_URL });
  try {
    await ensureBucket({
      endpoint: stack.AWS_ENDPOINT_URL!,
      region: stack.AWS_REGION!,
      bucket: BENCH_BUCKET,
      accessKeyId: stack.AWS_ACCESS_KEY_ID!,
      secretAccessKey: stack.AWS_SECRET_ACCESS_KEY!,
    });
    await deleteBenchIndices(client);
    await installBenchTemplate(client, config.index.refresh_interval);
    await installForwarderTemplate(client, config.index.refresh_interval);
    if (want('forwarder')) {
      await runSection(results, 'forwarder', async () => {
        const handlerBundle = bundles.find((b) => b.name === 'cloudwatch-logs');
        const forwarderBundle = await buildBundle(
          ROOT,
          { name: 'forwarder', entry: 'bench/forwarder.ts' },
          path.join(WORK, 'bundles'),
        );
        for (const b of [handlerBundle, forwarderBundle])
          if (!b?.file)
            throw new Error(`bundle did not build: ${b?.error ?? 'cloudwatch-logs missing'}`);
        const run = await benchDeployed({
          handlerBundle: handlerBundle!,
          forwarderBundle,
          handlerEnv: profileDir
            ? {
                ...env,
                NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} --cpu-prof --cpu-prof-dir=${profileDir}`,
              }
            : env,
          forwarderEnv: deployedEnv(ROOT, 'logferry-bench-forwarder', undefined, {
            ...localEnv(),
            FORWARDER_INDEX_PREFIX: FORWARDER_PREFIX,
          }),
          config: loadConfig(configFile),
          client,
          url: stack.OPENSEARCH_URL!,
          dir: path.join(WORK, 'forwarder'),
          corpora,
          events: mode.forwarderEvents,
          warmup: mode.forwarderWarmup,
          lines: FORWARDER_LINES,
          prefixes: {
            handler: BENCH_PREFIX,
            handlerRaw: RAW_PREFIX,
            forwarder: FORWARDER_PREFIX,
            forwarderRaw: FORWARDER_RAW_PREFIX,
          },
          loadavg: () => os.loadavg().map((l) => round(l, 2)),
          log,
          cleanup: () => deleteBenchIndices(client),
        });
        const { figures, ...rest } = run;
        results.forwarder = figures;
        results.forwarder_run = rest;
        for (const [corpus, e] of Object.entries(run.errors))
          results.errors[`forwarder ${corpus}`] = e;
      });
    }
    if (want('memory')) {
      log('memory: 6 MB Kinesis batch and 1 MB CloudWatch Logs event, each in a fresh process');
      await runSection(results, 'memory', async () => {
        results.memory = await benchMemory(bundles, env, WORK);
      });
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
      // The deployed handler's instances write V8 CPU profiles to .local/bench/prof/ (bench/profile.ts reads them).
      profile: { type: 'boolean', default: false },
      // Some corpora of the forwarder comparison only (a trial run): `--corpora nginx,json`.
      corpora: { type: 'string' },
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
    forwarder: null,
    forwarder_run: null,
    memory: null,
    cold_start: null,
    cost: null,
    targets: [],
    errors: {},
  };

  const section = (name: Section, fn: () => Promise<void> | void) => runSection(results, name, fn);
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
  if (want('cold_start') || want('memory') || want('forwarder')) {
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
  if (want('forwarder') || want('memory')) {
    await section(want('forwarder') ? 'forwarder' : 'memory', () =>
      runStackSections(
        want,
        bundles,
        config,
        mode,
        results,
        values.profile ? path.join(WORK, 'prof') : undefined,
        (values.corpora?.split(',') as BenchDataset[] | undefined) ?? FORWARDER_CORPORA,
      ),
    );
  }

  if (results.forwarder && results.forwarder_run) {
    const corpora: Parameters<typeof lambdaCost>[0] = {};
    for (const [name, f] of Object.entries(results.forwarder)) {
      const d = results.forwarder_run.details[name]!;
      const logBytes = d.log_bytes_per_event * d.lines_per_event;
      corpora[name] = {
        handler: {
          wallMsPerInvocation: d.handler_wall_ms_per_invocation,
          cpuMsPerInvocation: (f.handler_cpu_us_per_event * d.lines_per_event) / 1000,
          logBytesPerInvocation: logBytes,
          putsPerInvocation: d.archive_objects_per_invocation,
        },
        baseline: {
          wallMsPerInvocation: d.baseline_wall_ms_per_invocation,
          cpuMsPerInvocation: (f.baseline_cpu_us_per_event * d.lines_per_event) / 1000,
          logBytesPerInvocation: logBytes,
          putsPerInvocation: 0,
        },
      };
    }
    results.cost = lambdaCost(corpora, configuredMemoryMb(ROOT, 'ingestCloudwatch'));
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
    ...forwarderTable(results),
    figuresTable(figures(results)),
    ...Object.entries(results.errors).map(([k, v]) => `\n${k} failed: ${v}`),
  ].join('\n');
  console.log(`\n${text}\n`);
  console.log(`wrote ${path.relative(process.cwd(), values.out)}`);
  if (!values['no-readme'] && !only) updateReadme(path.join(ROOT, 'bench', 'README.md'), text);
  if (!values['no-readme'] && results.forwarder && results.forwarder_run) {
    const load = results.forwarder_run.loadavg;
    const caption = `${results.generated_at.slice(0, 16)}Z, ${modeName} run, ${results.forwarder_run.details.nginx?.events ?? '?'} × ${FORWARDER_LINES}-line events per corpus, load average ${load.start[0]} → ${load.end[0]} on ${results.machine.cpus} shared cores`;
    const svg = forwarderChart(
      { ...results.forwarder_run, figures: results.forwarder },
      CPU_LIMITS,
      caption,
    );
    writeFileSync(path.join(ROOT, 'bench', 'forwarder.svg'), svg);
  }
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
