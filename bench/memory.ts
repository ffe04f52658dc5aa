// Peak RSS of a fresh process running a handler bundle on one large event: a 6 MB Kinesis batch, a 1 MB CloudWatch Logs event.
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Bundle } from './bundles.ts';
import { awslogsEvent, kinesisBatch, subscriptionMessage } from './data.ts';
import { round } from './pipeline.ts';
import { runChild } from './spawn-child.ts';

export interface MemoryResult {
  kinesis_6mb_peak_rss_mb: number | null;
  cwl_1mb_peak_rss_mb: number | null;
  details: Record<string, Record<string, unknown>>;
}

interface Case {
  key: 'kinesis_6mb_peak_rss_mb' | 'cwl_1mb_peak_rss_mb';
  bundle: string;
  file: string;
  describe: Record<string, unknown>;
  /** Whether the handler's answer says every document was delivered. */
  delivered(result: unknown): boolean;
}

/**
 * Writes the two events to `dir` and runs each through its bundle in a new process against the stack in
 * `env`; a figure is null (with the reason in `details`) when the bundle or the run failed.
 *
 * @example
 * const mem = await benchMemory(bundles, env, '.local/bench');
 */
export async function benchMemory(
  bundles: readonly Bundle[],
  env: Record<string, string>,
  dir: string,
): Promise<MemoryResult> {
  const kinesis = kinesisBatch();
  const kinesisFile = path.join(dir, 'kinesis-6mb.json');
  writeFileSync(kinesisFile, JSON.stringify(kinesis.event));
  // A different seed from the e2e events: fresh documents, not overwrites.
  const message = subscriptionMessage('nginx', 5000, 1_048_576);
  const cwlFile = path.join(dir, 'cwl-1mb.json');
  writeFileSync(cwlFile, JSON.stringify(awslogsEvent(message)));

  const cases: Case[] = [
    {
      key: 'kinesis_6mb_peak_rss_mb',
      bundle: 'kinesis',
      file: kinesisFile,
      describe: {
        records: kinesis.event.Records.length,
        log_events: kinesis.logEvents,
        uncompressed_mb: round(kinesis.uncompressedBytes / 2 ** 20, 1),
      },
      delivered: (r) =>
        Array.isArray((r as { batchItemFailures?: unknown[] })?.batchItemFailures) &&
        (r as { batchItemFailures: unknown[] }).batchItemFailures.length === 0,
    },
    {
      key: 'cwl_1mb_peak_rss_mb',
      bundle: 'cloudwatch-logs',
      file: cwlFile,
      describe: { log_events: message.logEvents.length },
      delivered: (r) => {
        const s = r as { documents?: number; indexed?: number } | undefined;
        return s?.documents !== undefined && s.documents === s.indexed;
      },
    },
  ];

  const out: MemoryResult = {
    kinesis_6mb_peak_rss_mb: null,
    cwl_1mb_peak_rss_mb: null,
    details: {},
  };
  for (const c of cases) {
    const bundle = bundles.find((b) => b.name === c.bundle);
    const detail: Record<string, unknown> = {
      ...c.describe,
      event_mb: round(statSync(c.file).size / 2 ** 20, 2),
    };
    out.details[c.key] = detail;
    if (!bundle?.file) {
      detail.error = `no ${c.bundle} bundle: ${bundle?.error ?? `functions/${c.bundle}.ts not found`}`;
      continue;
    }
    const report = await runChild({
      bundle: bundle.file,
      event: c.file,
      env,
      nodeFlags: ['--enable-source-maps'],
    });
    if (report.error || report.maxRssKb === undefined) {
      detail.error = report.error ?? 'no report';
      continue;
    }
    detail.invoke_ms = round(report.invokeMs ?? 0, 0);
    detail.rss_after_import_mb = round((report.rssAfterImport ?? 0) / 2 ** 20, 1);
    if (!c.delivered(report.result)) {
      detail.error = `handler did not deliver everything: ${JSON.stringify(report.result).slice(0, 300)}`;
      continue;
    }
    out[c.key] = round(report.maxRssKb / 1024, 1);
  }
  return out;
}
