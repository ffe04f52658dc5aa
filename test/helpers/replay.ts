// Runs `npm run replay` on sample events into the local stack under a test's own index prefix, bucket and alert index.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { localEnv } from '#scripts/local/stack.ts';
import { ROOT } from './events.ts';

export interface ReplayTarget {
  prefix: string;
  bucket: string;
  stateIndex: string;
  /** The logferry.yml the replay ran with: the shipped one with the three names above. */
  configFile: string;
  env: Record<string, string>;
}

/**
 * The shipped logferry.yml (routes, redaction, alert rules) with this test's prefix and alert index, so
 * the replay sees what a user's would, without touching other runs' indices.
 */
export function replayTarget(name: string): ReplayTarget {
  const prefix = `it-${name}-${process.pid}`;
  // Not `<prefix>-…`: the alert index must stay out of the `<prefix>-*` pattern.
  const stateIndex = `lfalerts-${name}-${process.pid}`;
  const dir = join(ROOT, '.local', 'test-config');
  mkdirSync(dir, { recursive: true });
  const configFile = join(dir, `${prefix}.yml`);
  const shipped = readFileSync(join(ROOT, 'logferry.yml'), 'utf8');
  const yaml = shipped
    .replace(/^ {2}prefix: logs$/m, `  prefix: ${prefix}`)
    .replace(/^ {2}state_index: logferry-alerts$/m, `  state_index: ${stateIndex}`);
  if (!yaml.includes(prefix) || !yaml.includes(stateIndex))
    throw new Error(
      'replayTarget: logferry.yml no longer has the prefix/state_index lines it edits',
    );
  writeFileSync(configFile, yaml);
  const env = {
    ...process.env,
    ...localEnv(),
    ARCHIVE_BUCKET: prefix,
    LOGFERRY_CONFIG: configFile,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  } as Record<string, string>;
  return { prefix, bucket: prefix, stateIndex, configFile, env };
}

export interface ReplaySummary {
  events: number;
  documents: number;
  indexed: number;
  failed: number;
  archived: number;
  alerts: number;
}

/** `npm run replay -- PATH… --json` against the local stack; resolves with its summary line. */
export async function replay(target: ReplayTarget, paths: string[]): Promise<ReplaySummary> {
  const run = promisify(execFile)(
    'npx',
    ['tsx', 'scripts/replay.ts', ...paths, '--json', '--config', target.configFile],
    { cwd: ROOT, env: target.env, maxBuffer: 64 << 20 },
  );
  // Exit 1 only says some file failed on purpose (the corrupt sample): the summary tells the rest.
  const { stdout } = await run.catch((err: { stdout?: string }) => {
    if (!err.stdout) throw err;
    return { stdout: err.stdout };
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as ReplaySummary;
}
