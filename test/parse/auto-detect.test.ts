import { describe, expect, it } from 'vitest';
import { parseConfig } from '#shared/config/file.ts';
import type { InputEvent } from '#shared/model.ts';
import { transformEvents } from '#shared/transform/transform-events.ts';

// One line of every family, interleaved in one stream, with no configuration at all.
const MIXED: [line: string, dataset: string, type: string][] = [
  [
    '203.0.113.10 - - [20/Nov/2025:10:00:00 +0000] "GET /a HTTP/1.1" 200 12 "-" "curl/8.5.0" "198.51.100.7"',
    'nginx.access',
    'access',
  ],
  [
    '2025/11/20 10:00:03 [error] 29#30: *1 connect() failed, client: 198.51.100.23, server: x',
    'nginx.error',
    'error',
  ],
  [
    '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a\\"b HTTP/1.0" 200 2326 "-" "Mozilla/4.08"',
    'apache.access',
    'access',
  ],
  [
    '[Thu Nov 20 10:00:00.123456 2025] [core:warn] [pid 1:tid 2] [client 10.0.0.1:5000] AH00037: odd',
    'apache.error',
    'error',
  ],
  [
    '[Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] client denied by server configuration: /x',
    'apache.error',
    'error',
  ],
  [
    '10.0.1.2:33317 [20/Nov/2025:10:00:00.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 "GET / HTTP/1.1"',
    'haproxy.http',
    'access',
  ],
  [
    '10.0.1.2:33313 [20/Nov/2025:10:00:00.443] fnt bck/srv1 0/0/5007 212 -- 0/0/0/0/3 0/0',
    'haproxy.tcp',
    'access',
  ],
  [
    'Nov 20 10:00:05 lb haproxy[22]: {"ci":"::1","cp":43174,"ft":"fe","b":"be","s":"s1","Tt":15,"ST":200,"B":5,"r":"GET / HTTP/1.1"}',
    'haproxy.http',
    'access',
  ],
  [
    'START RequestId: 6f7e2b1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b Version: $LATEST',
    'aws.lambda',
    'application',
  ],
  [
    '2025-11-20T10:00:08.030Z\t6f7e2b1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b\tERROR\tboom',
    'aws.lambda',
    'error',
  ],
  [
    '[INFO]\t2025-11-20T10:00:08.040Z\t6f7e2b1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b\thello',
    'aws.lambda',
    'application',
  ],
  ['{"level":30,"time":1763632806123,"msg":"order created"}', 'app.json', 'application'],
  ['2025-11-20 10:00:00.123  INFO 1 --- [main] o.s.b.App : Started', 'app.spring', 'application'],
  ['10:00:00.123 [main] INFO  com.example.App - Started', 'app.logback', 'application'],
  ['2025-11-20 10:00:02.000 [main] ERROR com.example.Api - boom', 'app.logback', 'error'],
  ['2025-11-20 10:00:01,234 - myapp.db - WARNING - pool low', 'app.python', 'application'],
  ['ERROR:root:something broke', 'app.python', 'error'],
  ['<34>Oct 11 22:14:15 mymachine su: failed', 'syslog', 'error'],
  ['<165>1 2025-11-20T10:00:00.003Z host app - ID47 - message', 'syslog', 'application'],
  ['Nov 20 10:00:02 ip-10-0-1-5 sshd[4242]: Accepted publickey', 'syslog', 'application'],
  ['just some words', 'text', 'application'],
];

describe('auto-detection with no configuration', () => {
  it('classifies a mixed batch of every family, in input order, and counts it unmatched', () => {
    // Prepare
    const source = { logGroup: '/mixed/everything', logStream: 's' };
    const events: InputEvent[] = MIXED.map(([message], i) => ({
      id: `e${i}`,
      timestamp: Date.UTC(2025, 10, 20, 10, 0, 30),
      message,
      source,
      recordId: 'r',
    }));
    // Act
    const { routed, stats } = transformEvents(events, parseConfig({ version: 1 }));
    // Assess
    expect(routed.map((r) => [r.doc.event.id, r.doc.event.dataset, r.doc.log.type])).toEqual(
      MIXED.map(([, dataset, type], i) => [`e${i}`, dataset, type]),
    );
    expect(stats.unmatched).toBe(MIXED.length);
    expect(routed.every((r) => !r.doc.tags?.includes('_parse_failure'))).toBe(true);
  });
});
