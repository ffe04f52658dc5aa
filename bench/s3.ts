// `npx tsx bench/s3.ts [--ms N] [--mb N]`: AWS service log parsing rates per family, and the peak RSS of one large gzip ALB object read through the S3 handler.
import { createWriteStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';
import { build } from 'esbuild';
import type { Dataset, EventSource } from '#shared/model.ts';
import { CLOUDFRONT_FIELDS } from '#shared/parse/aws/cloudfront.ts';
import { parseLine } from '#shared/parse/index.ts';
import type { ParseContext } from '#shared/parse/types.ts';
import { s3Notification, sqsEvent } from '#test/helpers/s3-objects.ts';
import { serverlessBuildOptions } from './bundles.ts';
import { round } from './pipeline.ts';
import { rng } from './random.ts';
import { runChild } from './spawn-child.ts';

type Gen = (r: () => number, i: number) => string;

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
const ip = (r: () => number) =>
  r() < 0.1
    ? `2001:db8::${Math.floor(r() * 65535).toString(16)}`
    : `${10 + Math.floor(r() * 200)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${1 + Math.floor(r() * 254)}`;
const hex = (r: () => number, n: number) =>
  Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const clock = (i: number) =>
  `${pad(10 + (Math.floor(i / 3600) % 10))}:${pad(Math.floor(i / 60) % 60)}:${pad(i % 60)}`;
const PATHS = [
  '/',
  '/api/orders',
  '/api/orders/8f3a2c?expand=items',
  '/static/app.3f2a.js',
  '/health',
];
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36',
  'curl/8.5.0',
  'okhttp/4.12.0',
];
const STATUSES = [200, 200, 200, 201, 304, 404, 500, 502];
const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/73e2d6bc24d8a067';

/** One generator per family, shaped like the samples in events/s3/. */
const GENERATORS: Record<string, Gen> = {
  'aws.elb': (r, i) =>
    `${pick(r, ['https', 'https', 'h2', 'http'])} 2025-11-20T${clock(i)}.${pad(i % 1_000_000, 6)}Z app/shop-alb/50dc6c495c0c9188 ${ip(r)}:${1024 + Math.floor(r() * 60000)} 10.0.1.${Math.floor(r() * 250)}:8080 0.000 ${(r() * 0.3).toFixed(3)} 0.000 ${pick(r, STATUSES)} 200 ${Math.floor(r() * 2000)} ${Math.floor(r() * 50000)} "GET https://shop.example.com:443${pick(r, PATHS)} HTTP/1.1" "${pick(r, AGENTS)}" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 ${TG} "Root=1-${hex(r, 8)}-${hex(r, 24)}" "shop.example.com" "-" 1 2025-11-20T${clock(i)}.000000Z "forward" "-" "-" "10.0.1.12:8080" "200" "-" "-" TID_${hex(r, 32)}`,
  'aws.cloudfront': (r, i) =>
    [
      '2025-11-20',
      clock(i),
      'LAX1-C1',
      Math.floor(r() * 50000),
      ip(r),
      'GET',
      'd111111abcdef8.cloudfront.net',
      pick(r, PATHS).split('?')[0],
      pick(r, STATUSES),
      '-',
      pick(r, AGENTS).replaceAll(' ', '%20'),
      '-',
      '-',
      'Hit',
      hex(r, 56),
      'shop.example.com',
      'https',
      200,
      (r() * 0.2).toFixed(3),
      '-',
      'TLSv1.3',
      'TLS_AES_128_GCM_SHA256',
      'Hit',
      'HTTP/2.0',
      '-',
      '-',
      40000 + Math.floor(r() * 20000),
      (r() * 0.1).toFixed(3),
      'Hit',
      'text/html',
      Math.floor(r() * 50000),
      '-',
      '-',
      '0.002',
      '0.003',
      '16509',
      'US',
      '/static/*',
    ].join('\t'),
  'aws.s3access': (r, i) =>
    `79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be shop-assets [20/Nov/2025:${clock(i)} +0000] ${ip(r)} arn:aws:iam::123456789012:user/deployer ${hex(r, 16).toUpperCase()} REST.GET.OBJECT static/app.${hex(r, 4)}.js "GET /shop-assets/static/app.js HTTP/1.1" ${pick(r, STATUSES)} - ${Math.floor(r() * 20000)} 18432 ${Math.floor(r() * 90)} ${Math.floor(r() * 40)} "-" "${pick(r, AGENTS)}" - ${hex(r, 40)}= SigV4 TLS_AES_128_GCM_SHA256 AuthHeader shop-assets.s3.us-east-1.amazonaws.com TLSv1.3 - - us-east-1`,
  'aws.vpcflow': (r, i) =>
    `2 123456789012 eni-0a1b2c3d4e5f67890 ${ip(r)} 10.0.1.${Math.floor(r() * 250)} ${1024 + Math.floor(r() * 60000)} ${pick(r, [443, 22, 53, 8080])} ${pick(r, [6, 6, 17])} ${Math.floor(r() * 40)} ${Math.floor(r() * 90000)} ${1763632800 + i} ${1763632860 + i} ${pick(r, ['ACCEPT', 'ACCEPT', 'REJECT'])} OK`,
  'aws.cloudtrail': (r, i) =>
    JSON.stringify({
      eventVersion: '1.10',
      userIdentity: {
        type: 'AssumedRole',
        principalId: `AROA${hex(r, 12)}:ci`,
        arn: 'arn:aws:sts::123456789012:assumed-role/Deployer/ci',
        accountId: '123456789012',
      },
      eventTime: `2025-11-20T${clock(i)}Z`,
      eventSource: pick(r, ['s3.amazonaws.com', 'ec2.amazonaws.com', 'sts.amazonaws.com']),
      eventName: pick(r, ['GetObject', 'DescribeInstances', 'AssumeRole']),
      awsRegion: 'us-east-1',
      sourceIPAddress: ip(r),
      userAgent: pick(r, AGENTS),
      requestParameters: { bucketName: 'shop-assets', key: `static/${hex(r, 8)}.js` },
      responseElements: null,
      requestID: hex(r, 16),
      eventID: hex(r, 32),
      readOnly: true,
      eventType: 'AwsApiCall',
      managementEvent: false,
      recipientAccountId: '123456789012',
      eventCategory: 'Data',
    }),
  'aws.waf': (r, i) =>
    JSON.stringify({
      timestamp: 1763632800000 + i,
      formatVersion: 1,
      webaclId: 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/shop-acl/a1b2',
      terminatingRuleId: 'Default_Action',
      terminatingRuleType: 'REGULAR',
      action: pick(r, ['ALLOW', 'ALLOW', 'BLOCK']),
      httpSourceName: 'ALB',
      httpSourceId: '123456789012-app/shop-alb/50dc6c495c0c9188',
      ruleGroupList: [],
      rateBasedRuleList: [],
      nonTerminatingMatchingRules: [],
      httpRequest: {
        clientIp: ip(r),
        country: 'US',
        headers: [
          { name: 'Host', value: 'shop.example.com' },
          { name: 'User-Agent', value: pick(r, AGENTS) },
        ],
        uri: pick(r, PATHS).split('?')[0],
        args: '',
        httpVersion: 'HTTP/2.0',
        httpMethod: 'GET',
        requestId: hex(r, 24),
      },
      labels: [],
    }),
};

/** The header fields an object of the family would carry (the parser reads them from the source). */
const FIELDS: Partial<Record<string, readonly string[]>> = { 'aws.cloudfront': CLOUDFRONT_FIELDS };

/**
 * Lines per second each AWS family parses at on this core, pinned as an S3 object's key layout pins it.
 *
 * @example
 * benchS3Parse({ durationMs: 300 })['aws.elb'] // e.g. 250000
 */
export function benchS3Parse(
  opts: { durationMs?: number; lines?: number } = {},
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [dataset, gen] of Object.entries(GENERATORS)) {
    const r = rng(7);
    const lines = Array.from({ length: opts.lines ?? 5000 }, (_, i) => gen(r, i));
    const fields = FIELDS[dataset];
    const source: EventSource = { s3: { bucket: 'b', key: 'k', ...(fields ? { fields } : {}) } };
    const ctx: ParseContext = { eventTime: Date.UTC(2025, 10, 20, 12), source };
    const sample = parseLine(lines[0]!, ctx, dataset as Dataset);
    if (sample.dataset !== dataset || sample.tags?.length)
      throw new Error(`bench line for ${dataset} did not parse: ${lines[0]}`);
    for (const line of lines) parseLine(line, ctx, dataset as Dataset);
    // Counted in this process's CPU time: on a shared machine wall time would measure the others too.
    let parsed = 0;
    const cpu0 = process.cpuUsage();
    const end = process.hrtime.bigint() + BigInt(opts.durationMs ?? 1000) * 1_000_000n;
    while (process.hrtime.bigint() < end) {
      for (let i = 0; i < 1000; i++)
        parseLine(lines[(parsed + i) % lines.length]!, ctx, dataset as Dataset);
      parsed += 1000;
    }
    const cpu = process.cpuUsage(cpu0);
    out[dataset] = Math.round(parsed / ((cpu.user + cpu.system) / 1e6));
  }
  return out;
}

export interface S3ObjectResult {
  /** Peak resident set of the fresh process that read the object, MB. */
  peak_rss_mb: number | null;
  details: Record<string, unknown>;
}

const KEY =
  'AWSLogs/123456789012/elasticloadbalancing/us-east-1/2025/11/20/123456789012_elasticloadbalancing_us-east-1_app.shop-alb.50dc6c495c0c9188_20251120T1005Z_10.0.1.15_bench.log.gz';

/** Writes (once, then reuses) a gzip ALB object of about `mb` MB compressed; returns its line count. */
async function writeAlbObject(
  file: string,
  mb: number,
): Promise<{ lines: number; textBytes: number }> {
  const meta = `${file}.json`;
  if (
    existsSync(file) &&
    existsSync(meta) &&
    Math.abs(statSync(file).size - mb * 2 ** 20) < 2 ** 20
  )
    return (await import(pathToFileURL(meta).href, { with: { type: 'json' } })).default;
  mkdirSync(path.dirname(file), { recursive: true });
  const gzip = createGzip();
  const out = createWriteStream(file);
  gzip.pipe(out);
  const r = rng(11);
  let lines = 0;
  let textBytes = 0;
  while (out.bytesWritten < mb * 2 ** 20) {
    let chunk = '';
    for (let i = 0; i < 2000; i++) chunk += `${GENERATORS['aws.elb']!(r, lines++)}\n`;
    textBytes += chunk.length;
    if (!gzip.write(chunk)) await new Promise((res) => gzip.once('drain', res));
    await new Promise((res) => setImmediate(res));
  }
  await new Promise<void>((res) => {
    out.on('finish', res);
    gzip.end();
  });
  writeFileSync(meta, JSON.stringify({ lines, textBytes }));
  return { lines, textBytes };
}

/**
 * Generates a gzip ALB object of `mb` MB, bundles the bench S3 handler as serverless.yml bundles the
 * functions, and reads the object through it in a fresh process: peak RSS and lines per second,
 * sinks doing their serialising and gzip but sending nothing.
 *
 * @example
 * const r = await benchS3Object({ mb: 100, dir: '.local/bench' });
 */
export async function benchS3Object(opts: {
  mb: number;
  dir: string;
  root?: string;
}): Promise<S3ObjectResult> {
  const root = opts.root ?? process.cwd();
  const objects = path.join(opts.dir, 's3');
  const file = path.join(objects, 'bench-bucket', KEY);
  const { lines, textBytes } = await writeAlbObject(file, opts.mb);
  const event = path.join(opts.dir, 's3-event.json');
  writeFileSync(event, JSON.stringify(sqsEvent([s3Notification('bench-bucket', KEY)])));
  const { options, extension } = serverlessBuildOptions(root);
  const bundle = path.join(opts.dir, 'bundles', `bench-s3-handler${extension}`);
  await build({
    ...options,
    absWorkingDir: root,
    entryPoints: ['bench/s3-handler.ts'],
    outfile: bundle,
    logLevel: 'silent',
  });
  const details: Record<string, unknown> = {
    object_mb: round(statSync(file).size / 2 ** 20, 1),
    text_mb: round(textBytes / 2 ** 20, 1),
    lines,
  };
  const report = await runChild({
    bundle,
    event,
    env: { BENCH_S3_ROOT: objects, BENCH_TIMEOUT_MS: '900000', POWERTOOLS_LOG_LEVEL: 'WARN' },
    nodeFlags: ['--enable-source-maps'],
    timeoutMs: 900_000,
  });
  const result = report.result as { indexed?: number; retry?: number } | undefined;
  if (report.error || report.maxRssKb === undefined || result?.indexed !== lines) {
    details.error =
      report.error ?? `indexed ${result?.indexed} of ${lines} lines: ${JSON.stringify(result)}`;
    return { peak_rss_mb: null, details };
  }
  details.invoke_s = round((report.invokeMs ?? 0) / 1000, 1);
  details.lines_per_s = Math.round(lines / ((report.invokeMs ?? 1) / 1000));
  if (report.invokeCpuMs) {
    details.cpu_s = round(report.invokeCpuMs / 1000, 1);
    details.lines_per_cpu_s = Math.round(lines / (report.invokeCpuMs / 1000));
  }
  return { peak_rss_mb: round(report.maxRssKb / 1024, 1), details };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { ms: { type: 'string' }, mb: { type: 'string' } } });
  const rates = benchS3Parse({ durationMs: values.ms ? Number(values.ms) : 1000 });
  for (const [d, v] of Object.entries(rates))
    console.log(`${d.padEnd(16)} ${v.toLocaleString('en-US').padStart(10)} lines/s`);
  if (values.mb) {
    const r = await benchS3Object({ mb: Number(values.mb), dir: path.resolve('.local/bench') });
    console.log(JSON.stringify(r));
  }
}
