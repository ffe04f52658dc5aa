// Writes the Kinesis sample events in events/kinesis/, one per record kind logferry decodes, reproducibly.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KinesisStreamRecord } from 'aws-lambda';
import {
  ARRIVAL_S,
  cloudWatchLogsData,
  fireLensLine,
  gzipData,
  kinesisEvent,
  kinesisRecord,
  kplAggregate,
  sequenceNumber,
  zlibData,
} from '#test/helpers/kinesis-events.ts';

const OUT = 'events/kinesis';
const FIXTURES = 'test/fixtures/cloudwatch-logs';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(join(FIXTURES, `${name}.message.json`), 'utf8'));

/** Records numbered from `first`, one second apart, in batch (= sequence) order. */
function records(
  first: number,
  datas: (Buffer | string)[],
  partitionKey = 'web-1',
): KinesisStreamRecord[] {
  return datas.map((data, i) =>
    kinesisRecord(data, {
      seq: sequenceNumber(first + i),
      partitionKey,
      arrival: ARRIVAL_S + first + i + 0.123,
    }),
  );
}

const healthz =
  '203.0.113.7 - - [20/Nov/2025:10:00:01 +0000] "GET /healthz HTTP/1.1" 200 2 "-" "ELB-HealthChecker/2.0"';
const checkout =
  '198.51.100.23 - alice [20/Nov/2025:10:00:02 +0000] "POST /api/checkout HTTP/1.1" 502 166 "https://shop.example.com/cart" "Mozilla/5.0 (X11; Linux x86_64)"';
const nginx = [healthz, checkout];
const orderCreated =
  '{"level":"info","time":"2025-11-20T10:00:03.120Z","msg":"order created","orderId":"ord_1"}';
const paymentFailed =
  '{"level":"error","time":"2025-11-20T10:00:04.500Z","msg":"payment failed","err":{"type":"CardError","message":"declined"}}';
const appJson = [orderCreated, paymentFailed];
const javaTrace = [
  '2025-11-20 10:00:05.001 ERROR 1 --- [nio-8080-exec-1] c.e.orders.OrderController : request failed',
  'java.lang.IllegalStateException: inventory service unavailable',
  '\tat com.example.orders.Inventory.reserve(Inventory.java:57)',
  '\tat com.example.orders.OrderController.create(OrderController.java:31)',
];

const samples: Record<string, KinesisStreamRecord[]> = {
  // CloudWatch Logs subscription → Kinesis destination: gzipped subscription messages, and the
  // control message CloudWatch sends when the destination is set up.
  'cloudwatch-logs.json': records(1, [
    cloudWatchLogsData(fixture('nginx-access')),
    cloudWatchLogsData(fixture('app-json')),
    cloudWatchLogsData(fixture('control')),
  ]),
  // A KPL producer packing several user records (one of them a FireLens record) into one Kinesis record.
  'kpl-aggregated.json': records(10, [
    kplAggregate([
      { data: healthz, partitionKey: 'web-1' },
      { data: appJson.join('\n'), partitionKey: 'orders-1' },
      { data: fireLensLine(checkout), partitionKey: 'web-2' },
    ]),
    'a plain record next to the aggregated one',
  ]),
  'gzip.json': records(20, [gzipData(`${nginx.join('\n')}\n`), gzipData(appJson.join('\n'))]),
  'zlib.json': records(30, [zlibData(`${javaTrace.join('\n')}\n`)]),
  // Fluent Bit / FireLens and Docker json-file / Kubernetes envelopes, one JSON object per record.
  'firelens.json': records(40, [
    fireLensLine(healthz),
    fireLensLine(paymentFailed),
    JSON.stringify({
      log: `${checkout}\n`,
      stream: 'stdout',
      time: '2025-11-20T10:00:02.250000000Z',
    }),
    JSON.stringify({
      log: 'worker started\n',
      stream: 'stderr',
      time: '2025-11-20T10:00:06.000000000Z',
      kubernetes: {
        pod_name: 'worker-7d9f8',
        namespace_name: 'jobs',
        pod_id: 'c0ffee00-1111-2222-3333-444455556666',
        host: 'ip-10-0-3-4',
        container_name: 'worker',
        labels: { app: 'worker', 'app.kubernetes.io/version': '1.4.2' },
      },
    }),
  ]),
  // Plain text, several lines per record; the stack trace stays within its record and merges.
  'plain-text.json': records(50, [
    `${nginx.join('\n')}\n`,
    `${javaTrace.join('\n')}\n`,
    'single line without newline',
  ]),
  // One of each kind and, in the middle, a poison record (gzip magic, then garbage): the good
  // records are indexed, the poison one is dead-lettered and the batch reports no failures.
  'mixed-with-poison.json': records(60, [
    cloudWatchLogsData(fixture('lambda')),
    kplAggregate([{ data: orderCreated }, { data: paymentFailed }]),
    Buffer.concat([
      Buffer.from([0x1f, 0x8b, 0x08, 0x00]),
      Buffer.from('definitely not deflate data'),
    ]),
    gzipData(checkout),
    fireLensLine(healthz),
    `${javaTrace.join('\n')}\n`,
  ]),
};

mkdirSync(OUT, { recursive: true });
for (const [name, recs] of Object.entries(samples)) {
  writeFileSync(join(OUT, name), `${JSON.stringify(kinesisEvent(recs), null, 2)}\n`);
  console.log(`${OUT}/${name}`);
}
