// `npx tsx bench/hostile.ts [--fanout N]`: the slowest 256 KiB line shapes through the whole pipeline, and a 3 KB record of a million lines within the decode caps.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { parseConfig } from '#shared/config/file.ts';
import type { Config } from '#shared/config/schema.ts';
import { archiveRow } from '#shared/sinks/archive-keys.ts';
import { createRecordingSinks } from '#shared/sinks/recording.ts';
import { ingestKinesis } from '#shared/sources/kinesis.ts';
import { transformEvents } from '#shared/transform/transform-events.ts';
import { kinesisEvent, kinesisRecord, sequenceNumber } from '#test/helpers/kinesis-events.ts';

const LINE = 256 * 1024;

/** Shapes that were super-linear in redaction, JSON handling or time checks (issue 11), each ~256 KiB. */
const SHAPES: Record<string, (n: number) => string> = {
  url_password_dots: (n) => `${'a.'.repeat(n / 2)} x://y@`,
  url_password_nginx_error: (n) =>
    `2025/11/20 10:00:00 [error] 12#12: *1 ${'a.'.repeat(n / 2 - 20)} x://y@`,
  email_local_run: (n) => `${'a.'.repeat(n / 2)}@`,
  named_values: (n) => 'password=a '.repeat(n / 11),
  json_keys_unterminated: (n) => '"password":"'.repeat(n / 12),
  jwt_heads: (n) => 'eyJ'.repeat(n / 3),
  token_prefixes: (n) => 'xoxb-'.repeat(n / 5),
  pem_without_end: (n) => '-----BEGIN RSA PRIVATE KEY-----\nMIIE'.repeat(n / 36),
  card_digits: (n) => '4 '.repeat(n / 2),
  json_deep: (n) => `${'{"a":'.repeat(n / 10)}1${'}'.repeat(n / 10)}`,
  json_wide_secrets: (n) =>
    JSON.stringify(
      Object.fromEntries(Array.from({ length: n / 24 }, (_, i) => [`pw_${i}_password`, `v${i}`])),
    ),
};

export interface HostileResult {
  /** Best of three, ms, per shape: transform (parse, redact, build) plus the archive row. */
  line_ms: Record<string, number>;
  worst_line_ms: number;
  worst_shape: string;
  fanout?: { documents: number; dead_letter_entries: number; ms: number; peak_rss_mb: number };
}

function lineMs(config: Config, message: string): number {
  const event = {
    id: 'e',
    timestamp: Date.UTC(2025, 10, 20),
    message,
    source: { logGroup: '/bench' },
    recordId: 'r',
  };
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    const { routed } = transformEvents([event], config);
    for (const r of routed) archiveRow(r);
    best = Math.min(best, performance.now() - start);
  }
  return best;
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

/**
 * Times every shape through the pipeline (redaction on, the default rules plus email) and runs the
 * fan-out record in a child process.
 *
 * @example
 * const r = await benchHostile(); r.worst_line_ms // ≤ 50 is the target
 */
export async function benchHostile(): Promise<HostileResult> {
  const config = parseConfig({
    version: 1,
    redact: {
      rules: [
        'email',
        'secret_field',
        'provider_token',
        'jwt',
        'private_key',
        'aws_access_key',
        'bearer_token',
        'url_password',
        'credit_card',
      ],
    },
  });
  const line_ms: Record<string, number> = {};
  for (const [name, make] of Object.entries(SHAPES))
    line_ms[name] = Math.round(lineMs(config, make(LINE)) * 10) / 10;
  const [worst_shape, worst_line_ms] = Object.entries(line_ms).sort((a, b) => b[1] - a[1])[0]!;
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', import.meta.filename, '--fanout', '1000000'],
    {
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  const out: HostileResult = { line_ms, worst_line_ms, worst_shape };
  const last = child.stdout.trim().split('\n').pop();
  if (child.status === 0 && last) out.fanout = JSON.parse(last);
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { fanout: { type: 'string' } } });
  const result = values.fanout ? await fanout(Number(values.fanout)) : await benchHostile();
  console.log(JSON.stringify(result));
}
