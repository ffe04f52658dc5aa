// Starts bench/child.ts in a fresh Node process and reads the one JSON line it reports.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { buildScript } from './bundles.ts';

export interface ChildReport {
  importMs?: number;
  invokeMs?: number;
  invokeCpuMs?: number;
  rssAtStart?: number;
  rssAfterImport?: number;
  maxRssKb?: number;
  result?: unknown;
  error?: string;
}

const ROOT = path.resolve(import.meta.dirname, '..');
let child: Promise<string> | undefined;
/** bench/child.ts compiled once per run (plain JavaScript, so no type stripping in the figures). */
const childScript = () =>
  (child ??= buildScript(ROOT, 'bench/child.ts', path.join(ROOT, '.local', 'bench', 'scripts')));

/**
 * Runs `node [flags] bench/child.ts BUNDLE [EVENT]` with `env` and returns its report; the same Node
 * binary as this process (Node 22 under `npm run`), and nothing inherited but what `env` holds.
 *
 * @example
 * const r = await runChild({ bundle, env, nodeFlags: ['--enable-source-maps'] });
 */
export async function runChild(opts: {
  bundle: string;
  event?: string;
  env: Record<string, string>;
  nodeFlags?: string[];
  timeoutMs?: number;
}): Promise<ChildReport> {
  const script = await childScript();
  const args = [
    ...(opts.nodeFlags ?? []),
    script,
    opts.bundle,
    ...(opts.event ? [opts.event] : []),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: opts.timeoutMs ?? 120_000,
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      // The report is the last line; handler logs (JSON too) may come before it.
      const last = out.trim().split('\n').pop() ?? '';
      try {
        const report = JSON.parse(last) as ChildReport;
        if (report.maxRssKb === undefined && !report.error) report.error = `child exited ${code}`;
        resolve(report);
      } catch {
        resolve({
          error: `child exited ${code}: ${(err.trim() || out.trim()).split('\n').slice(-3).join(' ')}`,
        });
      }
    });
  });
}
