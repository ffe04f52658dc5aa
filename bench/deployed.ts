// The headline: the deployed handler bundle, invoked as Lambda invokes it, against the forwarder it replaces, on the same events, cluster and machine.
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Client } from '@opensearch-project/opensearch';
import type { Config } from '#shared/config/schema.ts';
import type { BatchSummary } from '#shared/pipeline/outcome.ts';
import type { Bundle } from './bundles.ts';
import { type BenchDataset, lineEvents, messageBytes } from './data.ts';
import { forwarderBulkBody } from './forwarder.ts';
import { type Invocation, type LambdaInstance, startLambda } from './lambda-process.ts';
import { openSearchCpu } from './opensearch-cpu.ts';
import { round } from './pipeline.ts';
import { type Prebuilt, plainBodies, postAll, prebuildHandlerBodies } from './raw-bulk.ts';

/** The figures issue 12 asks for, per corpus: exactly these keys. */
export interface ForwarderFigures {
  handler_docs_per_s: number;
  baseline_docs_per_s: number;
  /** handler ÷ baseline docs/s. */
  ratio: number;
  handler_cpu_us_per_event: number;
  baseline_cpu_us_per_event: number;
  handler_peak_rss_mb: number;
  baseline_peak_rss_mb: number;
  /** Index `store.size` ÷ documents, after `_flush` and `_forcemerge?max_num_segments=1`. */
  handler_store_bytes_per_doc: number;
  baseline_store_bytes_per_doc: number;
  /** OpenSearch process CPU while each side's invocations ran, per 1,000 documents. */
  opensearch_cpu_ms_per_1000_docs: { handler: number; baseline: number };
}

/** How the figures were got, and what else the run saw (ceilings, wall time per invocation, logs). */
export interface ForwarderDetails {
  events: number;
  warmup_invocations: number;
  lines_per_event: number;
  log_bytes_per_event: number;
  handler_documents: number;
  /** The raw-bulk ceiling of each side's own bodies, posted with plain `http` in the same alternation. */
  handler_ceiling_docs_per_s: number;
  baseline_ceiling_docs_per_s: number;
  handler_vs_own_ceiling: number;
  /** CPU per event of this process posting the prebuilt bodies: what sending alone costs. */
  handler_ceiling_cpu_us_per_event: number;
  baseline_ceiling_cpu_us_per_event: number;
  handler_wall_ms_per_invocation: number;
  baseline_wall_ms_per_invocation: number;
  handler_import_ms: number;
  baseline_import_ms: number;
  bulk_bytes_per_doc: { handler: number; baseline: number };
  archive_objects_per_invocation: number;
  alerts_sent: number;
  /** stdout lines per invocation (the batch log line, EMF metrics) and their bytes. */
  handler_log_lines_per_invocation: number;
  handler_log_bytes_per_invocation: number;
  handler_emf_lines: number;
  opensearch_cpu_ms_per_1000_docs_ceiling: { handler: number; baseline: number };
  /** The handler's CPU µs per event by thread: main (JS), libuv (zlib off the main thread), v8 (GC helpers, compiler). */
  handler_cpu_us_per_event_by_thread: Record<string, number>;
  baseline_cpu_us_per_event_by_thread: Record<string, number>;
}

export interface ForwarderRun {
  figures: Record<string, ForwarderFigures>;
  details: Record<string, ForwarderDetails>;
  /** Load average (1, 5, 15 min) when the section started and ended. */
  loadavg: { start: number[]; end: number[] };
  opensearch_cpu_source: string;
  errors: Record<string, string>;
}

export interface DeployedOptions {
  handlerBundle: Bundle;
  forwarderBundle: Bundle;
  /** The environment of the deployed handler (serverless.yml's, pointed at the local stack). */
  handlerEnv: Record<string, string>;
  forwarderEnv: Record<string, string>;
  config: Config;
  client: Client;
  url: string;
  dir: string;
  corpora: readonly BenchDataset[];
  events: number;
  /** Invocations of each instance before the measured ones (same for both sides, not counted). */
  warmup: number;
  lines: number;
  /** Index prefixes: the handler's, its ceiling's, the forwarder's and its ceiling's. */
  prefixes: { handler: string; handlerRaw: string; forwarder: string; forwarderRaw: string };
  loadavg: () => number[];
  log: (line: string) => void;
  /** Removes a corpus's indices before the next one. */
  cleanup: () => Promise<unknown>;
}

interface Side {
  wallMs: number;
  cpuUs: number;
  docs: number;
  osCpuMs: number;
  threads: Record<string, number>;
}

const side = (): Side => ({ wallMs: 0, cpuUs: 0, docs: 0, osCpuMs: 0, threads: {} });

function addThreads(s: Side, r: Invocation): void {
  for (const [k, v] of Object.entries(r.threads ?? {})) s.threads[k] = (s.threads[k] ?? 0) + v;
}

interface StoreStats {
  _all: {
    primaries: {
      store: { size_in_bytes: number };
      docs: { count: number };
      segments: { count: number };
    };
  };
  _shards: { total: number };
}

/** Store bytes and documents of `index` once flushed and merged down to one segment per shard. */
async function storePerDoc(
  client: Client,
  index: string,
): Promise<{ bytes: number; docs: number }> {
  await client.indices.flush({ index });
  await client.indices.forcemerge({ index, max_num_segments: 1 }, { requestTimeout: 300_000 });
  // The merge can still be finishing when the call answers on a loaded node: wait for one segment a shard.
  for (let waited = 0; ; waited += 500) {
    const { body } = await client.indices.stats({ index, metric: ['store', 'docs', 'segments'] });
    const stats = body as unknown as StoreStats;
    const p = stats._all.primaries;
    if (p.segments.count <= stats._shards.total || waited >= 60_000)
      return { bytes: p.store.size_in_bytes, docs: p.docs.count };
    await new Promise((r) => setTimeout(r, 500));
  }
}

const perEvent = (threads: Record<string, number>, events: number) =>
  Object.fromEntries(Object.entries(threads).map(([k, v]) => [k, round(v / events)]));

function checkHandler(r: Invocation): BatchSummary {
  if (r.error) throw new Error(`handler failed: ${r.error}`);
  const s = r.result as BatchSummary;
  if (s.indexed !== s.documents || s.retry > 0 || s.archived !== s.documents)
    throw new Error(
      `handler indexed ${s.indexed} and archived ${s.archived} of ${s.documents}: ${s.errors?.[0]}`,
    );
  return s;
}

function checkForwarder(r: Invocation): number {
  if (r.error) throw new Error(`forwarder failed: ${r.error}`);
  return (r.result as { indexed: number }).indexed;
}

/** One corpus: both instances warm, then ABBA event by event, ceilings in the same alternation. */
async function runCorpus(
  dataset: BenchDataset,
  seed: number,
  o: DeployedOptions,
  cpuOf: () => Promise<number>,
): Promise<{ figures: ForwarderFigures; details: ForwarderDetails }> {
  const dir = path.join(o.dir, dataset);
  mkdirSync(dir, { recursive: true });
  const W = o.warmup;
  const all = lineEvents(dataset, o.events + W, o.lines, seed);
  const files = all.map((e, i) => {
    const file = path.join(dir, `event-${i}.json`);
    writeFileSync(file, JSON.stringify(e.event));
    return file;
  });
  const ceilings: { handler: Prebuilt; baseline: Prebuilt }[] = [];
  for (const e of all) {
    const body = forwarderBulkBody(e.message, o.prefixes.forwarderRaw)!;
    ceilings.push({
      handler: await prebuildHandlerBodies(
        e.event,
        o.config,
        o.prefixes.handler,
        o.prefixes.handlerRaw,
      ),
      baseline: plainBodies(body, e.message.logEvents.length),
    });
  }

  const url = new URL(o.url);
  const agent = new http.Agent({ keepAlive: true });
  const instances: LambdaInstance[] = [];
  try {
    const handler = await startLambda(o.handlerBundle.file!, o.handlerEnv);
    instances.push(handler);
    const forwarder = await startLambda(o.forwarderBundle.file!, o.forwarderEnv);
    instances.push(forwarder);
    // Warm-up, not timed: creates the day's indices on every side, and lets the JIT settle (the
    // handler's first invocations compile on V8's threads as much as they run: 108 µs/event after
    // one warm-up invocation, 63 after five, on 1,000-line nginx events).
    let warmDocs = { handler: 0, baseline: 0 };
    for (let i = 0; i < W; i++) {
      checkHandler(await handler.invoke(files[i]!));
      checkForwarder(await forwarder.invoke(files[i]!));
      await postAll(agent, url, ceilings[i]!.handler, o.config.opensearch.concurrency);
      await postAll(agent, url, ceilings[i]!.baseline, 1);
      warmDocs = {
        handler: warmDocs.handler + ceilings[i]!.handler.docs,
        baseline: warmDocs.baseline + ceilings[i]!.baseline.docs,
      };
    }
    const warmOutput = handler.output();

    const h = side();
    const b = side();
    const hc = side();
    const bc = side();
    let archiveObjects = 0;
    let alerts = 0;
    let hRss = 0;
    let bRss = 0;
    const timed = async (s: Side, docs: number, run: () => Promise<void>) => {
      const os0 = await cpuOf();
      const cpu0 = process.cpuUsage();
      const t = performance.now();
      await run();
      s.wallMs += performance.now() - t;
      const cpu = process.cpuUsage(cpu0);
      s.cpuUs += cpu.user + cpu.system;
      s.osCpuMs += (await cpuOf()) - os0;
      s.docs += docs;
    };
    const runs = {
      handler: async (i: number) => {
        const os0 = await cpuOf();
        const r = await handler.invoke(files[i]!);
        h.osCpuMs += (await cpuOf()) - os0;
        const s = checkHandler(r);
        if (s.documents !== ceilings[i]!.handler.docs)
          throw new Error(
            `handler made ${s.documents} documents, the sink ${ceilings[i]!.handler.docs}`,
          );
        h.wallMs += r.wallMs;
        h.cpuUs += r.cpuUs;
        addThreads(h, r);
        h.docs += s.documents;
        archiveObjects += s.archiveKeys.length;
        alerts += s.alerts.messages;
        hRss = r.maxRssKb;
      },
      baseline: async (i: number) => {
        const os0 = await cpuOf();
        const r = await forwarder.invoke(files[i]!);
        b.osCpuMs += (await cpuOf()) - os0;
        b.docs += checkForwarder(r);
        b.wallMs += r.wallMs;
        b.cpuUs += r.cpuUs;
        addThreads(b, r);
        bRss = r.maxRssKb;
      },
    };
    for (let i = W; i < files.length; i++) {
      const order: ('handler' | 'baseline')[] =
        i % 4 === 1 || i % 4 === 0 ? ['handler', 'baseline'] : ['baseline', 'handler'];
      for (const s of order) await runs[s](i);
      for (const s of order) {
        const pre = ceilings[i]![s];
        await timed(s === 'handler' ? hc : bc, pre.docs, () =>
          postAll(agent, url, pre, s === 'handler' ? o.config.opensearch.concurrency : 1),
        );
      }
    }
    const out = handler.output();

    // Every side must hold every document, or the rates mean nothing.
    const { handler: hp, handlerRaw, forwarder: fp, forwarderRaw } = o.prefixes;
    const handlerIndex = ['access', 'error', 'application'].map((t) => `${hp}-${t}-*`).join(',');
    const expected = {
      [handlerIndex]: h.docs + warmDocs.handler,
      [`${handlerRaw}-*`]: h.docs + warmDocs.handler,
      [`${fp}-*`]: b.docs + warmDocs.baseline,
      [`${forwarderRaw}-*`]: b.docs + warmDocs.baseline,
    };
    for (const [index, count] of Object.entries(expected)) {
      await o.client.indices.refresh({ index });
      const { body } = await o.client.count({ index });
      if (body.count !== count)
        throw new Error(`${index} holds ${body.count} documents, expected ${count}`);
    }
    const hs = await storePerDoc(o.client, handlerIndex);
    const bs = await storePerDoc(o.client, `${fp}-*`);
    const events = (files.length - W) * o.lines;
    const measured = all.slice(W);
    const bulkBytes = (p: Prebuilt[]) =>
      p.reduce((n, x) => n + x.bodies.reduce((m, y) => m + y.bytes, 0), 0);
    const perK = (s: Side) => round((s.osCpuMs / s.docs) * 1000, 1);
    const invocations = files.length - W;
    const docsPerS = (s: Side) => Math.round(s.docs / (s.wallMs / 1000));
    return {
      figures: {
        handler_docs_per_s: docsPerS(h),
        baseline_docs_per_s: docsPerS(b),
        ratio: round(h.docs / h.wallMs / (b.docs / b.wallMs), 3),
        handler_cpu_us_per_event: round(h.cpuUs / events),
        baseline_cpu_us_per_event: round(b.cpuUs / events),
        handler_peak_rss_mb: round(hRss / 1024, 1),
        baseline_peak_rss_mb: round(bRss / 1024, 1),
        handler_store_bytes_per_doc: Math.round(hs.bytes / hs.docs),
        baseline_store_bytes_per_doc: Math.round(bs.bytes / bs.docs),
        opensearch_cpu_ms_per_1000_docs: { handler: perK(h), baseline: perK(b) },
      },
      details: {
        events: invocations,
        warmup_invocations: W,
        lines_per_event: o.lines,
        log_bytes_per_event: round(
          measured.reduce((n, e) => n + messageBytes(e.message), 0) / events,
          1,
        ),
        handler_documents: h.docs,
        handler_ceiling_docs_per_s: docsPerS(hc),
        baseline_ceiling_docs_per_s: docsPerS(bc),
        handler_vs_own_ceiling: round(h.docs / h.wallMs / (hc.docs / hc.wallMs), 3),
        handler_ceiling_cpu_us_per_event: round(hc.cpuUs / events),
        baseline_ceiling_cpu_us_per_event: round(bc.cpuUs / events),
        handler_wall_ms_per_invocation: round(h.wallMs / invocations, 1),
        baseline_wall_ms_per_invocation: round(b.wallMs / invocations, 1),
        handler_import_ms: round(handler.importMs, 1),
        baseline_import_ms: round(forwarder.importMs, 1),
        bulk_bytes_per_doc: {
          handler: Math.round(bulkBytes(ceilings.slice(W).map((c) => c.handler)) / h.docs),
          baseline: Math.round(bulkBytes(ceilings.slice(W).map((c) => c.baseline)) / b.docs),
        },
        archive_objects_per_invocation: round(archiveObjects / invocations, 2),
        alerts_sent: alerts,
        handler_log_lines_per_invocation: round((out.lines - warmOutput.lines) / invocations, 2),
        handler_log_bytes_per_invocation: Math.round((out.bytes - warmOutput.bytes) / invocations),
        handler_emf_lines: out.emfLines - warmOutput.emfLines,
        opensearch_cpu_ms_per_1000_docs_ceiling: { handler: perK(hc), baseline: perK(bc) },
        handler_cpu_us_per_event_by_thread: perEvent(h.threads, events),
        baseline_cpu_us_per_event_by_thread: perEvent(b.threads, events),
      },
    };
  } finally {
    agent.destroy();
    for (const i of instances) await i.stop();
  }
}

/**
 * Every corpus in turn (each in fresh instances, its indices removed before the next): the handler
 * bundle and the forwarder bundle alternating ABBA event by event, each followed by the raw-bulk
 * ceiling of its own bodies, against one OpenSearch.
 *
 * @example
 * const run = await benchDeployed({ handlerBundle, forwarderBundle, handlerEnv, forwarderEnv, … });
 * run.figures.nginx.ratio // handler ÷ forwarder docs/s
 */
export async function benchDeployed(o: DeployedOptions): Promise<ForwarderRun> {
  const cpu = await openSearchCpu(o.client);
  const run: ForwarderRun = {
    figures: {},
    details: {},
    loadavg: { start: o.loadavg(), end: [] },
    opensearch_cpu_source: cpu.source,
    errors: {},
  };
  for (const [k, dataset] of o.corpora.entries()) {
    o.log(`forwarder: ${dataset}, ${o.events} × ${o.lines}-line events, handler vs forwarder`);
    try {
      const r = await runCorpus(dataset, 500 + k * 100, o, cpu.read);
      run.figures[dataset] = r.figures;
      run.details[dataset] = r.details;
    } catch (err) {
      run.errors[dataset] = (err as Error).message;
      o.log(`forwarder ${dataset} failed: ${(err as Error).message}`);
    } finally {
      await o.cleanup();
    }
  }
  run.loadavg.end = o.loadavg();
  return run;
}
