// Runs in a fresh Node process (compiled to plain JavaScript by spawn-child.ts): imports a Lambda bundle, optionally invokes it on an event file, reports time and peak RSS.
//
//   node child.mjs BUNDLE [EVENT.json]   → one JSON line on stdout
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const [bundle, eventFile] = process.argv.slice(2);
if (!bundle) {
  console.error('usage: node bench/child.ts BUNDLE [EVENT.json]');
  process.exit(2);
}

const require = createRequire(import.meta.url);
const rssAtStart = process.memoryUsage.rss();
const t0 = performance.now();
let mod: { handler: (event: unknown, context: unknown) => Promise<unknown> };
try {
  mod = require(bundle);
} catch (err) {
  process.stdout.write(
    `${JSON.stringify({ error: `import failed: ${(err as Error).message}` })}\n`,
  );
  process.exit(1);
}
const importMs = performance.now() - t0;
const rssAfterImport = process.memoryUsage.rss();

let invokeMs: number | undefined;
// Process CPU time of the invocation: on a shared machine, wall time counts the others' work too.
let invokeCpuMs: number | undefined;
let result: unknown;
let error: string | undefined;
if (eventFile) {
  // Lambda hands the runtime the event as JSON text; holding and parsing it is part of the cost.
  const event = JSON.parse(readFileSync(eventFile, 'utf8'));
  // BENCH_TIMEOUT_MS: a longer Lambda timeout, for an object that takes minutes (15 at most in Lambda).
  const end = Date.now() + Number(process.env.BENCH_TIMEOUT_MS ?? 60_000);
  const context = {
    functionName: 'logferry-bench',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:logferry-bench',
    memoryLimitInMB: '1769',
    awsRequestId: 'bench-0000',
    logGroupName: '/aws/lambda/logferry-bench',
    logStreamName: 'bench',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, end - Date.now()),
  };
  const t1 = performance.now();
  const cpu0 = process.cpuUsage();
  try {
    result = await mod.handler(event, context);
  } catch (err) {
    error = (err as Error).message;
  }
  invokeMs = performance.now() - t1;
  const cpu = process.cpuUsage(cpu0);
  invokeCpuMs = (cpu.user + cpu.system) / 1000;
}

// maxRSS is in kilobytes: the process's peak resident set, what Lambda's memory limit is checked against.
const maxRssKb = process.resourceUsage().maxRSS;
process.stdout.write(
  `${JSON.stringify({ importMs, invokeMs, invokeCpuMs, rssAtStart, rssAfterImport, maxRssKb, result, error })}\n`,
);
