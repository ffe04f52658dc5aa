// Starts bench/lambda-host.ts (compiled) as a warm Lambda instance of a bundle and invokes it, reading its log output as the Lambda service would.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { buildScript } from './bundles.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
let host: Promise<string> | undefined;
/** bench/lambda-host.ts compiled once per run: plain JavaScript, as the Lambda runtime is. */
const hostScript = () =>
  (host ??= buildScript(
    ROOT,
    'bench/lambda-host.ts',
    path.join(ROOT, '.local', 'bench', 'scripts'),
  ));

export interface Invocation {
  wallMs: number;
  /** CPU of every thread of the instance during the invocation, µs. */
  cpuUs: number;
  /** The same by kind of thread (`main`, `libuv`, `v8`), µs in 10 ms ticks; empty off Linux. */
  threads?: Record<string, number>;
  result?: unknown;
  error?: string;
  /** Peak RSS of the instance so far, KiB (`process.resourceUsage().maxRSS`). */
  maxRssKb: number;
}

export interface LambdaInstance {
  importMs: number;
  invoke(eventFile: string, timeoutMs?: number): Promise<Invocation>;
  /** What the instance wrote to stdout (its log lines, EMF metrics among them), counted, not kept. */
  output(): { lines: number; bytes: number; emfLines: number };
  stop(): Promise<void>;
}

/**
 * A fresh Node process with `env` only (Lambda gives a function nothing else), holding `bundle` loaded.
 *
 * @example
 * const fn = await startLambda(bundle.file, { ...env, NODE_OPTIONS: '--enable-source-maps' });
 * const r = await fn.invoke('.local/bench/event-0.json');
 * await fn.stop();
 */
export async function startLambda(
  bundle: string,
  env: Record<string, string>,
): Promise<LambdaInstance> {
  const child: ChildProcess = spawn(process.execPath, [await hostScript(), bundle], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const out = { lines: 0, bytes: 0, emfLines: 0 };
  let partial = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out.bytes += Buffer.byteLength(chunk);
    const text = partial + chunk;
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    out.lines += lines.length;
    for (const line of lines) if (line.includes('"_aws"')) out.emfLines++;
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });

  let next = 0;
  const waiting = new Map<number, (r: Invocation) => void>();
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      for (const done of waiting.values()) done({ wallMs: 0, cpuUs: 0, maxRssKb: 0, error: why });
      waiting.clear();
      reject(new Error(why));
    };
    child.on('error', (err) => fail(err.message));
    child.on('exit', (code) =>
      fail(`instance exited ${code}: ${stderr.trim().split('\n').slice(-5).join(' ')}`),
    );
    child.on(
      'message',
      (msg: { id?: number; ready?: boolean; importMs?: number; error?: string }) => {
        if (msg.id !== undefined) {
          waiting.get(msg.id)?.(msg as unknown as Invocation);
          waiting.delete(msg.id);
          return;
        }
        if (!msg.ready) return fail(msg.error ?? 'instance did not start');
        resolve({
          importMs: msg.importMs ?? 0,
          invoke(eventFile, timeoutMs) {
            const id = next++;
            return new Promise((done) => {
              waiting.set(id, done);
              child.send({ id, event: eventFile, timeoutMs });
            });
          },
          output: () => ({ ...out }),
          // Asked to exit, so that `--cpu-prof` in NODE_OPTIONS writes its profile; killed if it hangs.
          stop: () =>
            new Promise<void>((done) => {
              child.removeAllListeners('exit');
              if (child.exitCode !== null) return done();
              const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
              child.once('exit', () => {
                clearTimeout(timer);
                done();
              });
              child.send({ exit: true });
            }),
        });
      },
    );
  });
}
