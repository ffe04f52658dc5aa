// `npx tsx bench/parse.ts [--ms N] [--lines N] [--enrich]`: parse throughput per log family on one core (auto-detection), of declared formats, and the cost of each enrichment.
import { statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { openGeoIpDatabase } from '#shared/clients/geoip-database.ts';
import { createEnricher } from '#shared/enrich/enrich.ts';
import type { Dataset, EventSource, LogDocument } from '#shared/model.ts';
import { compileFormat, type FormatSpec } from '#shared/parse/format/compile.ts';
import { parseLine } from '#shared/parse/index.ts';
import type { ParseContext } from '#shared/parse/types.ts';
import { serverlessBuildOptions } from './bundles.ts';
import { rng } from './random.ts';

export interface BenchParseOptions {
  /** Distinct generated lines per family, cycled through (default 5,000). */
  lines?: number;
  /** Time spent measuring each family after warm-up (default 1,000 ms). */
  durationMs?: number;
  /** Families to measure (default: all that have a generator). */
  datasets?: readonly Dataset[];
  /** PRNG seed, so two runs parse the same lines. */
  seed?: number;
}

const PATHS = [
  '/',
  '/api/orders',
  '/api/orders/8f3a2c?expand=items',
  '/static/app.3f2a.js',
  '/search?q=%22shoes%22&page=2',
  '/health',
  '/api/cart/items/42',
  '/login?next=%2Faccount',
];
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
  'curl/8.5.0',
  'ELB-HealthChecker/2.0',
  'okhttp/4.12.0',
];
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
const STATUSES = [200, 200, 200, 201, 204, 301, 304, 400, 404, 500, 502];
const LEVELS = ['INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

type Gen = (r: () => number, i: number) => string;

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)]!;
}
function ip(r: () => number): string {
  return r() < 0.1
    ? `2001:db8::${Math.floor(r() * 65535).toString(16)}`
    : `${10 + Math.floor(r() * 200)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${1 + Math.floor(r() * 254)}`;
}
function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}
function clf(i: number): string {
  return `20/Nov/2025:${pad(10 + (Math.floor(i / 3600) % 10))}:${pad(Math.floor(i / 60) % 60)}:${pad(i % 60)} +0000`;
}
function iso(i: number, sep = 'T', frac = '.'): string {
  return `2025-11-20${sep}${pad(10 + (Math.floor(i / 3600) % 10))}:${pad(Math.floor(i / 60) % 60)}:${pad(i % 60)}${frac}${pad(i % 1000, 3)}`;
}

const GENERATORS: Partial<Record<Dataset, Gen>> = {
  'nginx.access': (r, i) =>
    `${ip(r)} - - [${clf(i)}] "${pick(r, METHODS)} ${pick(r, PATHS)} HTTP/1.1" ${pick(r, STATUSES)} ${Math.floor(r() * 50000)} "https://shop.example.com/" "${pick(r, AGENTS)}" "${ip(r)}, 10.0.1.12"`,
  'apache.access': (r, i) =>
    `${ip(r)} - - [${clf(i)}] "${pick(r, METHODS)} ${pick(r, PATHS)} HTTP/1.1" ${pick(r, STATUSES)} ${Math.floor(r() * 50000)} "-" "Mozilla/5.0 \\"compatible\\" ${pick(r, AGENTS)}"`,
  'nginx.error': (r, i) =>
    `2025/11/20 ${pad(10 + (i % 10))}:${pad(i % 60)}:${pad(i % 60)} [error] 29#30: *${i} connect() failed (111: Connection refused) while connecting to upstream, client: ${ip(r)}, server: shop.example.com, request: "${pick(r, METHODS)} ${pick(r, PATHS)} HTTP/1.1", upstream: "http://10.0.2.15:8080/", host: "shop.example.com"`,
  'apache.error': (r, i) =>
    `[Thu Nov 20 ${pad(10 + (i % 10))}:${pad(i % 60)}:${pad(i % 60)}.${pad(i % 1000000, 6)} 2025] [core:error] [pid ${i % 40000}:tid 140212329862912] [client ${ip(r)}:${40000 + (i % 20000)}] AH00037: Symbolic link not allowed or link target not accessible: /usr/local/apache2/htdocs${pick(r, PATHS)}`,
  'haproxy.http': (r, i) =>
    `${ip(r)}:${30000 + (i % 30000)} [20/Nov/2025:${pad(10 + (i % 10))}:${pad(i % 60)}:${pad(i % 60)}.${pad(i % 1000, 3)}] http-in~ api/web${i % 4} 0/0/1/${Math.floor(r() * 200)}/${Math.floor(r() * 300)} ${pick(r, STATUSES)} ${Math.floor(r() * 9000)} - - ---- 3/3/1/1/0 0/0 "${pick(r, METHODS)} ${pick(r, PATHS)} HTTP/1.1"`,
  'haproxy.tcp': (r, i) =>
    `${ip(r)}:${30000 + (i % 30000)} [20/Nov/2025:${pad(10 + (i % 10))}:${pad(i % 60)}:${pad(i % 60)}.${pad(i % 1000, 3)}] pg-in pg/db${i % 3} 0/1/${Math.floor(r() * 60000)} ${Math.floor(r() * 9000)} -- 5/5/1/1/0 0/0`,
  'aws.lambda': (r, i) =>
    `${iso(i)}Z\t6f7e2b1a-3c4d-4e5f-8a9b-${pad(i, 12)}\t${pick(r, LEVELS)}\tprocessed ${Math.floor(r() * 100)} records`,
  'app.json': (r, i) =>
    JSON.stringify({
      level: pick(r, [20, 30, 30, 40, 50]),
      time: 1763632800000 + i,
      pid: 1,
      hostname: 'ip-10-0-2-15',
      name: 'orders-api',
      msg: 'order created',
      orderId: `ord_${i}`,
      amountCents: Math.floor(r() * 10000),
    }),
  'app.spring': (r, i) =>
    `${iso(i, ' ')}  ${pick(r, LEVELS).padStart(5)} 12345 --- [nio-8080-exec-${i % 10}] o.s.web.servlet.DispatcherServlet        : Completed initialization in ${i % 100} ms`,
  'app.logback': (r, i) =>
    `${iso(i, ' ')} [http-nio-8080-exec-${i % 10}] ${pick(r, LEVELS).padEnd(5)} com.example.api.OrderHandler - handled order ${i}`,
  'app.python': (r, i) =>
    `${iso(i, ' ', ',')} - myapp.views - ${pick(r, ['INFO', 'WARNING', 'ERROR'])} - request ${i} done`,
  syslog: (r, i) =>
    `<${pick(r, [134, 30, 86])}>${pick(r, MONTHS)} ${1 + (i % 28)} ${pad(i % 24)}:${pad(i % 60)}:${pad(i % 60)} ip-10-0-1-5 sshd[${1000 + (i % 9000)}]: Accepted publickey for ec2-user from ${ip(r)} port ${40000 + (i % 20000)} ssh2`,
  text: (r, i) => `worker ${i % 16} finished batch ${i} in ${Math.floor(r() * 900)}ms`,
};

// The issue's three declared formats, as a route pins them (no auto-detection).
const DECLARED: { name: string; spec: FormatSpec; gen: Gen }[] = [
  {
    name: 'declared.nginx',
    spec: {
      name: 'edge',
      family: 'nginx',
      format:
        '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" rt=$request_time urt="$upstream_response_time" $request_id',
    },
    gen: (r, i) =>
      `${ip(r)} - - [${clf(i)}] "${pick(r, METHODS)} ${pick(r, PATHS)} HTTP/1.1" ${pick(r, STATUSES)} ${Math.floor(r() * 50000)} "https://shop.example.com/" "${pick(r, AGENTS)}" rt=0.${pad(i % 1000, 3)} urt="0.${pad((i * 7) % 1000, 3)}" ${(i * 2654435761).toString(16).padStart(32, '0').slice(0, 32)}`,
  },
  {
    name: 'declared.haproxy',
    spec: {
      name: 'lb',
      family: 'haproxy',
      format:
        '%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r',
    },
    gen: (r, i) =>
      `${ip(r)}:${30000 + (i % 30000)} [20/Nov/2025:${pad(10 + (i % 10))}:${pad(i % 60)}:${pad(i % 60)}.${pad(i % 1000, 3)}] http-in~ api/web${i % 4} 0/0/1/${Math.floor(r() * 200)}/${Math.floor(r() * 300)} ${pick(r, STATUSES)} ${Math.floor(r() * 9000)} - - ---- 3/3/1/1/0 0/0 {shop.example.com} "${pick(r, METHODS)} ${pick(r, PATHS)} HTTP/1.1"`,
  },
  {
    name: 'declared.apache',
    spec: {
      name: 'legacy',
      family: 'apache',
      format: '%h %l %u %t \\"%r\\" %>s %b \\"%{Referer}i\\" \\"%{User-Agent}i\\" %D',
    },
    gen: (r, i) =>
      `${ip(r)} - - [${clf(i)}] "${pick(r, METHODS)} ${pick(r, PATHS)} HTTP/1.1" ${pick(r, STATUSES)} ${Math.floor(r() * 50000)} "-" "${pick(r, AGENTS)}" ${Math.floor(r() * 90000)}`,
  },
];

/**
 * Lines per second of `fn` over `lines`, cycled, for `duration` ms after a warm-up, counted in this
 * process's CPU time: on a machine other work shares, wall time would measure the others too.
 */
function rate(lines: readonly string[], fn: (line: string) => unknown, duration: number): number {
  const count = lines.length;
  for (let i = 0; i < Math.min(count, 20_000); i++) fn(lines[i % count]!);
  let parsed = 0;
  const cpu0 = process.cpuUsage();
  const end = process.hrtime.bigint() + BigInt(duration) * 1_000_000n;
  while (process.hrtime.bigint() < end) {
    for (let i = 0; i < 1000; i++) fn(lines[(parsed + i) % count]!);
    parsed += 1000;
  }
  const cpu = process.cpuUsage(cpu0);
  return Math.round(parsed / ((cpu.user + cpu.system) / 1e6));
}

/**
 * Lines per second of the declared formats a route pins (`declared.nginx`, `declared.haproxy`,
 * `declared.apache`), through parseLine as the pipeline calls it.
 *
 * @example
 * benchDeclared({ durationMs: 500 })['declared.nginx'] // e.g. 600000
 */
export function benchDeclared(opts: BenchParseOptions = {}): Record<string, number> {
  const out: Record<string, number> = {};
  const ctx: ParseContext = {
    eventTime: Date.UTC(2025, 10, 20, 12),
    source: { logGroup: '/bench/edge' },
  };
  for (const d of DECLARED) {
    const format = compileFormat(d.spec);
    const r = rng(opts.seed ?? 42);
    const lines = Array.from({ length: opts.lines ?? 5000 }, (_, i) => d.gen(r, i));
    const sample = parseLine(lines[0]!, ctx, format);
    if (sample.tags?.length) throw new Error(`bench line for ${d.name} did not fit: ${lines[0]}`);
    out[d.name] = rate(lines, (line) => parseLine(line, ctx, format), opts.durationMs ?? 1000);
  }
  return out;
}

/**
 * Lines per second each family parses at on this core (auto-detection, as unconfigured events take).
 *
 * @example
 * const rates = benchParse({ durationMs: 500 });
 * rates['nginx.access'] // e.g. 450000
 */
export function benchParse(opts: BenchParseOptions = {}): Record<string, number> {
  const count = opts.lines ?? 5000;
  const duration = opts.durationMs ?? 1000;
  const datasets = opts.datasets ?? (Object.keys(GENERATORS) as Dataset[]);
  const out: Record<string, number> = {};
  for (const dataset of datasets) {
    const gen = GENERATORS[dataset];
    if (!gen) continue;
    const r = rng(opts.seed ?? 42);
    const lines = Array.from({ length: count }, (_, i) => gen(r, i));
    const source: EventSource = {
      logGroup: dataset.startsWith('apache') ? '/ecs/apache-web' : '/bench/app',
      logStream: 's',
    };
    const ctx: ParseContext = { eventTime: Date.UTC(2025, 10, 20, 12), source };
    // Check the generator and parser agree before timing anything.
    const sample = parseLine(lines[0]!, ctx);
    if (sample.dataset !== dataset)
      throw new Error(`bench line for ${dataset} parsed as ${sample.dataset}: ${lines[0]}`);
    out[dataset] = rate(lines, (line) => parseLine(line, ctx), duration);
  }
  return { ...out, ...benchDeclared(opts) };
}

/** The CC0 country database of the `@ip-location-db/geo-whois-asn-country-mmdb` devDependency. */
const COUNTRY_DB =
  'node_modules/@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb';

/** Microseconds of CPU per call of `fn` over `items`, cycled, for `duration` ms after a warm-up. */
function cpuMicros<T>(items: readonly T[], fn: (item: T) => unknown, duration: number): number {
  const perSecond = rate(items as unknown as string[], fn as (line: string) => unknown, duration);
  return Math.round((1e6 / perSecond) * 100) / 100;
}

/** Bytes that `packages` add to the minified Kinesis bundle, as serverless.yml's esbuild settings build it. */
async function bundleBytesOf(packages: readonly string[]): Promise<number> {
  const { options } = serverlessBuildOptions(process.cwd());
  const result = await build({
    ...options,
    entryPoints: ['functions/kinesis.ts'],
    write: false,
    metafile: true,
    sourcemap: false,
    outdir: 'out',
  });
  const inputs = Object.values(result.metafile.outputs).flatMap((o) => Object.entries(o.inputs));
  return inputs
    .filter(([file]) => packages.some((p) => file.includes(`node_modules/${p}/`)))
    .reduce((sum, [, i]) => sum + i.bytesInOutput, 0);
}

export interface EnrichBench {
  /** CPU µs per event, user agent enrichment: agents repeat (cached) / every one new (a scan). */
  user_agent_cached_us: number;
  user_agent_uncached_us: number;
  /** CPU µs per event, GeoIP country lookup of source.ip in the devDependency's database. */
  geoip_cached_us: number;
  geoip_uncached_us: number;
  /** RSS the opened country database adds (the reader holds the file in memory), and its file size. */
  geoip_rss_bytes: number;
  geoip_file_bytes: number;
  /** Bytes of ua-parser-js and of the maxmind reader (with mmdb-lib, tiny-lru) in the Kinesis bundle. */
  user_agent_bundle_bytes: number;
  geoip_bundle_bytes: number;
}

/**
 * What each enrichment costs per event, in CPU time, with its cache doing its work and defeated,
 * and what it adds to memory and the bundle.
 *
 * @example
 * (await benchEnrich({ durationMs: 500 })).user_agent_cached_us // e.g. 0.3
 */
export async function benchEnrich(opts: BenchParseOptions = {}): Promise<EnrichBench> {
  const duration = opts.durationMs ?? 1000;
  const r = rng(opts.seed ?? 42);
  const count = opts.lines ?? 5000;
  const doc = (ua: string, addr: string) =>
    ({ user_agent: { original: ua }, source: { ip: addr } }) as unknown as LogDocument;
  const cached = Array.from({ length: count }, () => doc(pick(r, AGENTS), ip(r)));
  // A scan: every agent string differs (a version that changes), as every address does.
  const distinct = Array.from({ length: count }, (_, i) =>
    doc(`${pick(r, AGENTS).replace(/\d+\.\d+/, `${i % 200}.${i}`)}`, ip(r)),
  );
  const ua = createEnricher({ user_agent: true }, {})!;
  const uaNoCache = () => createEnricher({ user_agent: true }, {})!;
  const rss0 = process.memoryUsage().rss;
  const reader = openGeoIpDatabase(COUNTRY_DB, 'enrich.geoip.database');
  const rss = process.memoryUsage().rss - rss0;
  const geo = createEnricher({ user_agent: false }, { geo: reader })!;
  // The caches hold 10,000 values: a fresh enricher per 5,000 events defeats them.
  const fresh = (make: () => (d: LogDocument) => void) => {
    let fn = make();
    let n = 0;
    return (d: LogDocument) => {
      if (++n % count === 0) fn = make();
      fn(d);
    };
  };
  const copy = (d: LogDocument) =>
    ({
      user_agent: { ...(d.user_agent as object) },
      source: { ...(d.source as object) },
    }) as unknown as LogDocument;
  // Each event is enriched on a copy, as a new document would be; the copy's own cost is taken off.
  const base = cpuMicros(cached, copy, duration);
  const net = (us: number) => Math.max(0, Math.round((us - base) * 100) / 100);
  const geoFresh = fresh(() => createEnricher({ user_agent: false }, { geo: reader })!);
  const uaFresh = fresh(uaNoCache);
  return {
    user_agent_cached_us: net(cpuMicros(cached, (d) => ua(copy(d)), duration)),
    user_agent_uncached_us: net(cpuMicros(distinct, (d) => uaFresh(copy(d)), duration)),
    geoip_cached_us: net(cpuMicros(cached.slice(0, 200), (d) => geo(copy(d)), duration)),
    geoip_uncached_us: net(cpuMicros(distinct, (d) => geoFresh(copy(d)), duration)),
    geoip_rss_bytes: rss,
    geoip_file_bytes: statSync(COUNTRY_DB).size,
    user_agent_bundle_bytes: await bundleBytesOf(['ua-parser-js']),
    geoip_bundle_bytes: await bundleBytesOf(['maxmind', 'mmdb-lib', 'tiny-lru']),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: { ms: { type: 'string' }, lines: { type: 'string' }, enrich: { type: 'boolean' } },
  });
  if (values.enrich) {
    console.log(await benchEnrich({ durationMs: values.ms ? Number(values.ms) : undefined }));
    process.exit(0);
  }
  const rates = benchParse({
    durationMs: values.ms ? Number(values.ms) : undefined,
    lines: values.lines ? Number(values.lines) : undefined,
  });
  const width = Math.max(...Object.keys(rates).map((k) => k.length));
  for (const [dataset, rate] of Object.entries(rates))
    console.log(`${dataset.padEnd(width)}  ${rate.toLocaleString('en-US').padStart(10)} lines/s`);
}
