// CPU per event of the whole pipeline (decode, parse, route, serialise) with the sinks replaced by null sinks.
import type { CloudWatchLogsEvent } from 'aws-lambda';
import type { Config } from '#shared/config/schema.ts';
import type { CloudWatchLogsMessage } from '#shared/decode/cloudwatch-logs.ts';
import { decodeCloudWatchLogsData, toInputEvents } from '#shared/decode/cloudwatch-logs.ts';
import { planArchive } from '#shared/sinks/archive-keys.ts';
import { ingestCloudWatchLogs } from '#shared/sources/cloudwatch-logs.ts';
import { transformEvents } from '#shared/transform/transform-events.ts';
import { type BenchDataset, messageBytes } from './data.ts';
import { createNullSinks } from './null-sinks.ts';

export interface PipelineInput {
  dataset: BenchDataset;
  message: CloudWatchLogsMessage;
  event: CloudWatchLogsEvent;
}

export interface PipelineResult {
  /** Process CPU (user + system, GC and zlib threads included) per input log event. */
  cpu_us_per_event: number;
  wall_us_per_event: number;
  /** Per output document: stack-trace lines merge, so there are fewer documents than events. */
  cpu_us_per_document: number;
  /** What compressing the bulk bodies (as the client does) and archive objects (level 1) adds. */
  gzip_cpu_us_per_event: number;
  by_dataset: Record<string, { cpu_us_per_event: number; events_per_s: number }>;
  /** The same work stage by stage (CPU µs per event): where the time goes. */
  stages: { decode: number; transform: number; index_serialise: number; archive_serialise: number };
  events: number;
  documents: number;
  /** Mean bytes of a log line, for the cost per GB. */
  bytes_per_event: number;
  /** Bulk NDJSON bytes per byte of log line: what the index receives. */
  bulk_expansion: number;
  passes: number;
}

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

async function pass(
  inputs: readonly PipelineInput[],
  config: Config,
  gzip: boolean,
  perDataset?: Map<string, { cpu: number; events: number }>,
) {
  const sinks = createNullSinks(config, { gzip });
  let documents = 0;
  for (const input of inputs) {
    const before = cpuUs();
    const { report } = await ingestCloudWatchLogs(
      input.event,
      { config, sinks, region: 'us-east-1' },
      Date.now() + 60_000,
    );
    const cpu = cpuUs() - before;
    if (report.indexed !== report.documents)
      throw new Error(`null sinks lost documents: ${report.errors[0]}`);
    documents += report.documents;
    const d = perDataset?.get(input.dataset) ?? { cpu: 0, events: 0 };
    d.cpu += cpu;
    d.events += input.message.logEvents.length;
    perDataset?.set(input.dataset, d);
  }
  return { documents, bulkBytes: sinks.bytes.bulk };
}

/** CPU µs per pass spent in each stage, measured around each stage in turn. */
async function stageBreakdown(inputs: readonly PipelineInput[], config: Config, passes: number) {
  const t = { decode: 0, transform: 0, index: 0, archive: 0 };
  const sinks = createNullSinks(config);
  for (let p = 0; p < passes; p++) {
    for (const input of inputs) {
      let c = cpuUs();
      const msg = decodeCloudWatchLogsData(
        input.event.awslogs.data,
        config.decode.max_decompressed_bytes,
      );
      const events = toInputEvents(msg, msg.logEvents[0]?.id ?? '', 'us-east-1');
      t.decode += cpuUs() - c;
      c = cpuUs();
      const { routed } = transformEvents(events, config);
      t.transform += cpuUs() - c;
      c = cpuUs();
      await sinks.index.index(routed, Date.now() + 60_000);
      t.index += cpuUs() - c;
      c = cpuUs();
      await sinks.archive.archive(planArchive(routed), Date.now() + 60_000);
      t.archive += cpuUs() - c;
    }
  }
  return {
    decode: t.decode / passes,
    transform: t.transform / passes,
    index: t.index / passes,
    archive: t.archive / passes,
  };
}

/**
 * Runs the inputs through the CloudWatch Logs source adapter (the handler minus middy and logging) for at
 * least `durationMs` after a warm-up pass, and reports CPU per event.
 *
 * @example
 * const r = await benchPipeline(cloudWatchEvents(8), config, { durationMs: 5000 });
 */
export async function benchPipeline(
  inputs: readonly PipelineInput[],
  config: Config,
  opts: { durationMs: number },
): Promise<PipelineResult> {
  const events = inputs.reduce((n, i) => n + i.message.logEvents.length, 0);
  const bytes = inputs.reduce((n, i) => n + messageBytes(i.message), 0);
  const warm = await pass(inputs, config, false);

  const perDataset = new Map<string, { cpu: number; events: number }>();
  let passes = 0;
  const cpu0 = cpuUs();
  const wall0 = performance.now();
  do {
    await pass(inputs, config, false, perDataset);
    passes++;
  } while (performance.now() - wall0 < opts.durationMs);
  const cpu = cpuUs() - cpu0;
  const wall = (performance.now() - wall0) * 1000;

  // The same work with compression, fewer passes: only the difference is reported.
  const gzipPasses = Math.max(1, Math.ceil(passes / 3));
  const g0 = cpuUs();
  for (let i = 0; i < gzipPasses; i++) await pass(inputs, config, true);
  const gzipCpu = (cpuUs() - g0) / gzipPasses;

  const stages = await stageBreakdown(inputs, config, Math.max(1, Math.ceil(passes / 3)));
  const perPass = cpu / passes;
  return {
    cpu_us_per_event: round(perPass / events),
    wall_us_per_event: round(wall / passes / events),
    cpu_us_per_document: round(perPass / warm.documents),
    gzip_cpu_us_per_event: round(Math.max(0, gzipCpu - perPass) / events),
    by_dataset: Object.fromEntries(
      [...perDataset].map(([name, d]) => [
        name,
        {
          cpu_us_per_event: round(d.cpu / d.events),
          events_per_s: Math.round(d.events / (d.cpu / 1e6)),
        },
      ]),
    ),
    stages: {
      decode: round(stages.decode / events),
      transform: round(stages.transform / events),
      index_serialise: round(stages.index / events),
      archive_serialise: round(stages.archive / events),
    },
    events,
    documents: warm.documents,
    bytes_per_event: round(bytes / events),
    bulk_expansion: round(warm.bulkBytes / bytes),
    passes,
  };
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
