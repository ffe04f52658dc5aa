// Runs `npm run deploy:local` / `remove:local` / `dev` as child processes for the deploy and dev-loop tests.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { awsTarget } from '#scripts/dev/deployed.ts';
import { REPO_ROOT } from '#scripts/local/paths.ts';
import { localEnv } from '#scripts/local/stack.ts';

const run = promisify(execFile);
const TSX = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');

export function childEnv(): NodeJS.ProcessEnv {
  return { ...process.env, ...localEnv() };
}

/** The SDK settings of the local stack's moto. */
export const target = () => awsTarget(localEnv());

/** `npm run deploy:local [-- --param k=v ...]`; resolves to its output, rejects with it when it fails. */
export async function deployLocal(params: Record<string, string | number> = {}): Promise<string> {
  const args = Object.entries(params).flatMap(([k, v]) => ['--param', `${k}=${v}`]);
  const { stdout, stderr } = await run(TSX, ['scripts/deploy-local.ts', 'deploy', ...args], {
    cwd: REPO_ROOT,
    env: childEnv(),
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout + stderr;
}

export async function removeLocal(): Promise<string> {
  const { stdout, stderr } = await run(TSX, ['scripts/deploy-local.ts', 'remove'], {
    cwd: REPO_ROOT,
    env: childEnv(),
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout + stderr;
}

export interface DevProcess {
  child: ChildProcess;
  lines: string[];
  /** Resolves with the first line (already printed or to come) matching `re`. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Ctrl-C; resolves to the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `npm run dev` with the given arguments. */
export function startDev(args: string[] = []): DevProcess {
  const child = spawn(TSX, ['scripts/dev.ts', ...args], { cwd: REPO_ROOT, env: childEnv() });
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (line: string) => void }[] = [];
  let buffered = '';
  const onData = (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      for (const w of [...waiters])
        if (w.re.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    waitFor(re, timeoutMs = 60_000) {
      const seen = lines.find((l) => re.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`no line matching ${re} in ${timeoutMs} ms:\n${lines.join('\n')}`)),
          timeoutMs,
        );
        waiters.push({
          re,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Polls `check` until it returns a value other than undefined. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
