// Generated, realistic benchmark data: nginx access, JSON application logs, Spring with stack traces, FireLens records.
import { gzipSync } from 'node:zlib';
import type { CloudWatchLogsEvent, KinesisStreamEvent } from 'aws-lambda';
import type { CloudWatchLogsMessage } from '#shared/decode/cloudwatch-logs.ts';
import {
  cloudWatchLogsData,
  kinesisEvent,
  kinesisRecord,
  sequenceNumber,
} from '#test/helpers/kinesis-events.ts';
// One deterministic generator for every benchmark: the parse bench and the data sets draw the same way.
import { rng } from './random.ts';

export type BenchDataset = 'nginx' | 'json' | 'spring' | 'firelens';
export const BENCH_DATASETS: readonly BenchDataset[] = ['nginx', 'json', 'spring', 'firelens'];

/** 2025-11-20T10:00:00Z: a fixed day, so every run writes the same index names. */
export const T0 = Date.UTC(2025, 10, 20, 10, 0, 0);

/** The 1 MB a CloudWatch Logs subscription delivers at most: PutLogEvents' batch limit. */
export const CWL_EVENT_BYTES = 1_048_576;

/** Lambda's synchronous payload limit, which caps a Kinesis batch. */
export const KINESIS_EVENT_BYTES = 6 * 1_048_576;

const LOG_GROUPS: Record<BenchDataset, string> = {
  nginx: '/ecs/web/nginx',
  json: '/ecs/web/orders-api',
  spring: '/ecs/web/billing',
  firelens: '/ecs/firelens/web',
};

type Rand = () => number;

function pick<T>(r: Rand, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)]!;
}

function int(r: Rand, max: number): number {
  return Math.floor(r() * max);
}

function hex(r: Rand, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[int(r, 16)];
  return s;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function clfTime(t: number): string {
  const d = new Date(t);
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/** `2025-11-20 10:00:00.123` (Spring's default, zone-less: UTC, docs/architecture.md "Document"). */
function springTime(t: number): string {
  return new Date(t).toISOString().replace('T', ' ').slice(0, 23);
}

function ipv4(r: Rand): string {
  return `${1 + int(r, 223)}.${int(r, 256)}.${int(r, 256)}.${1 + int(r, 254)}`;
}

const METHODS = ['GET', 'GET', 'GET', 'GET', 'POST', 'POST', 'PUT', 'DELETE', 'HEAD'];
const STATUSES = [
  200, 200, 200, 200, 200, 201, 204, 301, 302, 304, 400, 401, 403, 404, 404, 499, 500, 502, 503,
];
const PATHS = [
  '/',
  '/api/v1/orders',
  '/api/v1/orders/{id}',
  '/api/v1/orders/{id}/items?expand=product,price',
  '/api/v1/cart',
  '/api/v1/products?category=shoes&page={n}&sort=price_asc',
  '/static/js/app.{hex}.js',
  '/static/css/main.{hex}.css',
  '/images/products/{id}/thumb.webp',
  '/search?q=running+shoes&size=42',
  '/health',
  '/login?next=%2Faccount%2Forders',
  '/account/orders/{id}/invoice.pdf',
];
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36',
  'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0',
  'ELB-HealthChecker/2.0',
  'curl/8.5.0',
  'okhttp/4.12.0',
  'Googlebot/2.1 (+http://www.google.com/bot.html)',
];
const REFERRERS = [
  '-',
  '-',
  'https://shop.example.com/',
  'https://shop.example.com/cart',
  'https://www.google.com/',
];

function fillPath(r: Rand, path: string): string {
  return path
    .replace('{id}', String(100000 + int(r, 900000)))
    .replace('{n}', String(1 + int(r, 20)))
    .replace('{hex}', hex(r, 8));
}

/** nginx `combined` plus the X-Forwarded-For the default ECS/ALB setups add. */
export function nginxLine(r: Rand, t: number): string {
  const path = fillPath(r, pick(r, PATHS));
  const status = pick(r, STATUSES);
  const bytes = status === 204 || status === 304 ? 0 : int(r, 60000);
  return `${ipv4(r)} - ${r() < 0.05 ? `user${int(r, 999)}` : '-'} [${clfTime(t)}] "${pick(r, METHODS)} ${path} HTTP/1.1" ${status} ${bytes} "${pick(r, REFERRERS)}" "${pick(r, AGENTS)}" "${ipv4(r)}"`;
}

const PINO_LEVELS = [20, 30, 30, 30, 30, 30, 40, 50];
const MSGS = [
  'request completed',
  'order created',
  'payment authorised',
  'cache miss',
  'inventory reserved',
  'upstream slow',
  'token refreshed',
];

/** pino (numeric levels, epoch ms) and winston-style (named level, ISO time) lines, some with an error. */
export function jsonLine(r: Rand, t: number): string {
  const level = pick(r, PINO_LEVELS);
  if (r() < 0.5) {
    const line: Record<string, unknown> = {
      level,
      time: t,
      pid: 7,
      hostname: `ip-10-0-${int(r, 4)}-${int(r, 250)}.ec2.internal`,
      name: 'orders-api',
      reqId: `req-${hex(r, 12)}`,
      msg: pick(r, MSGS),
      req: { method: pick(r, METHODS), url: fillPath(r, pick(r, PATHS)), remoteAddress: ipv4(r) },
      res: { statusCode: pick(r, STATUSES) },
      responseTime: Math.round(r() * 5000) / 10,
    };
    if (level >= 50) {
      line.err = {
        type: 'TypeError',
        message: "Cannot read properties of undefined (reading 'id')",
        stack:
          "TypeError: Cannot read properties of undefined (reading 'id')\n    at OrderService.create (/app/dist/orders/service.js:88:31)\n    at async handler (/app/dist/routes/orders.js:41:19)",
      };
    }
    return JSON.stringify(line);
  }
  return JSON.stringify({
    timestamp: new Date(t).toISOString(),
    level: level >= 50 ? 'error' : level >= 40 ? 'warn' : level >= 30 ? 'info' : 'debug',
    message: pick(r, MSGS),
    service: 'checkout',
    traceId: hex(r, 32),
    userId: `u_${int(r, 100000)}`,
    durationMs: int(r, 2000),
    cart: { items: 1 + int(r, 8), currency: 'EUR', totalCents: int(r, 50000) },
  });
}

const LOGGERS = [
  'c.e.billing.api.InvoiceController',
  'c.e.billing.service.PaymentService',
  'o.s.web.servlet.DispatcherServlet',
  'c.e.billing.repo.InvoiceRepository',
  'o.h.engine.jdbc.spi.SqlExceptionHelper',
];

function javaTrace(r: Rand): string[] {
  const frames = 12 + int(r, 30);
  const lines = [
    'org.springframework.dao.DataAccessResourceFailureException: could not execute statement; nested exception is org.hibernate.exception.JDBCConnectionException',
  ];
  for (let i = 0; i < frames; i++) {
    const pkg = pick(r, [
      'org.springframework.orm.jpa',
      'org.hibernate.internal',
      'com.example.billing.service',
      'jdk.internal.reflect',
      'org.apache.catalina.core',
    ]);
    lines.push(
      `\tat ${pkg}.${pick(r, ['SessionImpl', 'JpaTransactionManager', 'PaymentService', 'StandardWrapperValve', 'Method'])}.${pick(r, ['invoke', 'doCommit', 'charge', 'flush', 'execute'])}(${pick(r, ['SessionImpl.java', 'PaymentService.java', 'Method.java'])}:${1 + int(r, 900)})`,
    );
  }
  lines.push(
    'Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.',
  );
  for (let i = 0; i < 4; i++)
    lines.push(
      `\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:${100 + i * 17})`,
    );
  lines.push(`\t... ${frames - 3} common frames omitted`);
  return lines;
}

/** Spring Boot's console pattern; 3% of lines are errors followed by a stack trace, one CloudWatch event per line. */
export function springLines(r: Rand, t: number): string[] {
  const level = r() < 0.03 ? 'ERROR' : pick(r, ['INFO', 'INFO', 'INFO', 'DEBUG', 'WARN']);
  const head = `${springTime(t)} ${level.padStart(5)} 1 --- [billing] [nio-8080-exec-${1 + int(r, 200)}] ${pick(r, LOGGERS).padEnd(40)} : ${level === 'ERROR' ? `Payment for invoice ${100000 + int(r, 900000)} failed` : `Processed invoice ${100000 + int(r, 900000)} in ${int(r, 900)} ms`}`;
  return level === 'ERROR' ? [head, ...javaTrace(r)] : [head];
}

const TASK = 'arn:aws:ecs:us-east-1:123456789012:task/prod/4f0c2b7e9a1d4e3f8a7b6c5d4e3f2a1b';

/** A Fluent Bit (FireLens) record around an nginx or JSON application line. */
export function fireLensLine(r: Rand, t: number): string {
  const web = r() < 0.6;
  return JSON.stringify({
    container_id: `4f0c2b7e9a1d4e3f8a7b6c5d4e3f2a1b-${2000000000 + int(r, 9)}`,
    container_name: web ? 'nginx' : 'orders-api',
    ecs_cluster: 'prod',
    ecs_task_arn: TASK,
    ecs_task_definition: web ? 'web:42' : 'orders-api:17',
    log: web ? nginxLine(r, t) : jsonLine(r, t),
    source: r() < 0.9 ? 'stdout' : 'stderr',
  });
}

/** Lines of one data set, as CloudWatch delivers them (a stack trace is one event per line). */
export function linesOf(dataset: BenchDataset, r: Rand, t: number): string[] {
  switch (dataset) {
    case 'nginx':
      return [nginxLine(r, t)];
    case 'json':
      return [jsonLine(r, t)];
    case 'spring':
      return springLines(r, t);
    case 'firelens':
      return [fireLensLine(r, t)];
  }
}

/** A 56-digit CloudWatch event id, unique per (seed, n). */
function eventId(seed: number, n: number): string {
  return `${String(36_720_093_750 + seed).padStart(20, '0')}${String(n).padStart(36, '0')}`;
}

/**
 * A DATA_MESSAGE whose JSON is just under `bytes` long (or holds at most `maxEvents` log events),
 * from one log group and stream.
 *
 * @example
 * const msg = subscriptionMessage('nginx', 1, CWL_EVENT_BYTES);
 */
export function subscriptionMessage(
  dataset: BenchDataset,
  seed: number,
  bytes: number,
  maxEvents = Number.POSITIVE_INFINITY,
): CloudWatchLogsMessage {
  const r = rng(seed);
  const msg: CloudWatchLogsMessage = {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: LOG_GROUPS[dataset],
    logStream: `${dataset}/web/${hex(r, 32)}`,
    subscriptionFilters: ['logferry'],
    logEvents: [],
  };
  let size = JSON.stringify(msg).length;
  let t = T0 + seed * 60_000;
  for (let n = 0; ; ) {
    t += int(r, 20);
    const lines = linesOf(dataset, r, t);
    // id, timestamp, message keys and escapes: measured rather than guessed.
    const added = lines.reduce((sum, m) => sum + JSON.stringify(m).length + 104, 0);
    if (size + added > bytes || n + lines.length > maxEvents) break;
    for (const message of lines)
      msg.logEvents.push({ id: eventId(seed, n++), timestamp: t, message });
    size += added;
  }
  return msg;
}

export function awslogsEvent(message: CloudWatchLogsMessage): CloudWatchLogsEvent {
  return { awslogs: { data: gzipSync(JSON.stringify(message)).toString('base64') } };
}

/** `count` 1 MB subscription events, cycling through the data sets. */
export function cloudWatchEvents(
  count: number,
  seed = 1,
): { dataset: BenchDataset; message: CloudWatchLogsMessage; event: CloudWatchLogsEvent }[] {
  return Array.from({ length: count }, (_, i) => {
    const dataset = BENCH_DATASETS[i % BENCH_DATASETS.length]!;
    const message = subscriptionMessage(dataset, seed + i, CWL_EVENT_BYTES);
    return { dataset, message, event: awslogsEvent(message) };
  });
}

/**
 * A Kinesis batch just under Lambda's 6 MB payload: records from a CloudWatch Logs destination, each a
 * gzipped subscription message (CloudWatch puts one delivery per record, up to 1 MB uncompressed).
 */
export function kinesisBatch(seed = 1000): {
  event: KinesisStreamEvent;
  logEvents: number;
  uncompressedBytes: number;
} {
  const records = [];
  let size = 20;
  let logEvents = 0;
  let uncompressedBytes = 0;
  for (let i = 0; ; i++) {
    const dataset = BENCH_DATASETS[i % BENCH_DATASETS.length]!;
    const message = subscriptionMessage(dataset, seed + i, CWL_EVENT_BYTES);
    const record = kinesisRecord(cloudWatchLogsData(message), {
      seq: sequenceNumber(i),
      partitionKey: message.logStream,
    });
    const added = JSON.stringify(record).length + 1;
    if (size + added > KINESIS_EVENT_BYTES) break;
    records.push(record);
    size += added;
    logEvents += message.logEvents.length;
    uncompressedBytes += JSON.stringify(message).length;
  }
  return { event: kinesisEvent(records), logEvents, uncompressedBytes };
}

/** Bytes of log lines (message text only), the "GB of logs" the cost is quoted per. */
export function messageBytes(message: CloudWatchLogsMessage): number {
  let n = 0;
  for (const e of message.logEvents) n += Buffer.byteLength(e.message);
  return n;
}

/**
 * `count` subscription events of `lines` log events each, from one data set: the forwarder comparison's
 * corpus (issue 12: 40 × 1,000 lines).
 *
 * @example
 * const events = lineEvents('nginx', 40, 1000, 500);
 */
export function lineEvents(
  dataset: BenchDataset,
  count: number,
  lines: number,
  seed: number,
): { message: CloudWatchLogsMessage; event: CloudWatchLogsEvent }[] {
  return Array.from({ length: count }, (_, i) => {
    const message = subscriptionMessage(dataset, seed + i, CWL_EVENT_BYTES, lines);
    return { message, event: awslogsEvent(message) };
  });
}
