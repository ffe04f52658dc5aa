// Runs in its own Node process (compiled to plain JavaScript by lambda-process.ts) as a warm Lambda instance: loads a bundle once, then invokes its handler on each event file the parent names over IPC.
//
//   node lambda-host.mjs BUNDLE   (compiled and spawned by bench/lambda-process.ts, with an IPC channel)
//
// Per invocation it reports wall time and the CPU of every thread of this process (JS, GC, libuv
// threadpool: zlib), measured from reading the event's JSON text, as the runtime does, to
// serialising the answer. Whatever the handler logs goes to stdout, as in Lambda; the parent reads it.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

interface Invoke {
  id: number;
  event: string;
  timeoutMs?: number;
}

const [bundle] = process.argv.slice(2);
if (!bundle || !process.send) {
  console.error('usage: spawned by bench/lambda-process.ts with an IPC channel');
  process.exit(2);
}
const send = (msg: unknown) => process.send!(msg);

const require = createRequire(import.meta.url);
const t0 = performance.now();
let mod: { handler: (event: unknown, context: unknown) => Promise<unknown> };
try {
  mod = require(bundle);
} catch (err) {
  send({ ready: false, error: `import failed: ${(err as Error).stack ?? err}` });
  process.exit(1);
}
send({ ready: true, importMs: performance.now() - t0, rss: process.memoryUsage.rss() });

/**
 * CPU µs per kind of thread so far, from /proc (Linux; empty elsewhere): the main thread, libuv's
 * thread pool (async zlib), and V8's own (GC, compilation). 10 ms ticks: meaningful summed over runs.
 */
function threadCpu(): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const kind = Number(tid) === process.pid ? 'main' : name === 'libuv-worker' ? 'libuv' : 'v8';
      out[kind] = (out[kind] ?? 0) + (Number(f[11]) + Number(f[12])) * 10_000;
    }
  } catch {
    // Not Linux: the total from process.cpuUsage() stands alone.
  }
  return out;
}

let requests = 0;
function context(timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  const requestId = `bench-${process.pid}-${++requests}`;
  const name = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'logferry-bench';
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '1769',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: '2025/11/20/[$LATEST]bench',
    getRemainingTimeInMillis: () => Math.max(0, end - Date.now()),
  };
}

process.on('message', async (msg: Invoke | { exit: true }) => {
  if ('exit' in msg) process.exit(0);
  const threads0 = threadCpu();
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  let result: unknown;
  let error: string | undefined;
  let answer = '';
  try {
    const event = JSON.parse(readFileSync(msg.event, 'utf8'));
    result = await mod.handler(event, context(msg.timeoutMs ?? 60_000));
    // The runtime posts the answer as JSON (symbol keys, like the Kinesis summary, left out).
    answer = JSON.stringify(result ?? null);
  } catch (err) {
    error = (err as Error).message;
  }
  const wallMs = performance.now() - wall0;
  const cpu = process.cpuUsage(cpu0);
  const threads = threadCpu();
  for (const [k, v] of Object.entries(threads)) threads[k] = v - (threads0[k] ?? 0);
  send({
    threads,
    id: msg.id,
    wallMs,
    cpuUs: cpu.user + cpu.system,
    answerBytes: answer.length,
    result,
    error,
    maxRssKb: process.resourceUsage().maxRSS,
    rss: process.memoryUsage.rss(),
  });
});
