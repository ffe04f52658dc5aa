import { describe, expect, it } from 'vitest';
import { parseConfig } from '#shared/config/file.ts';
import type { InputEvent } from '#shared/model.ts';
import { splitStack } from '#shared/transform/multiline.ts';
import { transformEvents } from '#shared/transform/transform-events.ts';

const T0 = Date.UTC(2025, 10, 20, 10, 0, 30);
const config = parseConfig({ version: 1 });

function events(
  lines: string[],
  opts: { stream?: string; recordId?: string; seed?: string } = {},
): InputEvent[] {
  const source = { logGroup: '/ecs/orders', logStream: opts.stream ?? 's1' };
  return lines.map((message, i) => ({
    id: `${opts.seed ?? 'e'}${i}`,
    timestamp: T0 + i,
    message,
    source,
    recordId: opts.recordId ?? 'r1',
  }));
}

const JAVA = [
  '2025-11-20 10:00:00.000 [exec-5] ERROR com.example.Api - Request failed',
  'java.lang.IllegalStateException: already paid',
  '\tat com.example.Order.pay(Order.java:42)',
  'Caused by: java.sql.SQLException: deadlock',
  '\t... 2 more',
  '2025-11-20 10:00:01.000 [main] INFO  com.example.App - next',
];

describe('multiline merge', () => {
  it('merges a Java trace into the event that logged it, keeping its id, record and time', () => {
    // Act
    const { routed, stats } = transformEvents(events(JAVA), config);
    // Assess
    expect(routed).toHaveLength(2);
    expect(stats.merged).toBe(4);
    const [merged, next] = routed;
    expect(merged!.recordId).toBe('r1');
    expect(merged!.doc).toMatchObject({
      '@timestamp': '2025-11-20T10:00:00.000Z',
      message: 'Request failed',
      event: { id: 'e0', dataset: 'app.logback', original: JAVA.slice(0, 5).join('\n') },
      log: { type: 'error', level: 'error' },
      error: {
        type: 'java.lang.IllegalStateException',
        message: 'already paid',
        stack_trace: JAVA.slice(1, 5).join('\n'),
      },
    });
    expect(merged!.doc.tags).toBeUndefined();
    expect(merged!.raw).toBe(JAVA.slice(0, 5).join('\n'));
    expect(next!.doc.event.id).toBe('e5');
  });

  it('tags a trace still open at the end of the batch, and orphan frames at its start', () => {
    const open = transformEvents(events(JAVA.slice(0, 3)), config).routed;
    expect(open).toHaveLength(1);
    expect(open[0]!.doc.tags).toEqual(['_multiline_partial']);
    const orphan = transformEvents(
      events(['\tat com.example.B.c(B.java:1)', '\t... 3 more', 'plain line']),
      config,
    ).routed;
    expect(orphan.map((r) => [r.doc.event.id, r.doc.tags])).toEqual([
      ['e0', ['_multiline_partial']],
      ['e2', undefined],
    ]);
  });

  it('merges per log stream, never across streams or Kinesis records', () => {
    const a = events(JAVA.slice(0, 1), { stream: 'a', seed: 'a' });
    const b = events(['plain on b'], { stream: 'b', seed: 'b' });
    const aFrames = events(JAVA.slice(1, 3), { stream: 'a', seed: 'c' });
    const otherRecord = events(['\tat x.Y.z(Y.java:1)'], {
      stream: 'a',
      seed: 'd',
      recordId: 'r2',
    });
    const { routed } = transformEvents([...a, ...b, ...aFrames, ...otherRecord], config);
    expect(routed.map((r) => r.doc.event.id)).toEqual(['a0', 'b0', 'd0']);
    expect(routed[0]!.doc.error).toMatchObject({ type: 'java.lang.IllegalStateException' });
    expect(routed[2]!.doc.tags).toEqual(['_multiline_partial']);
  });

  it('a header after an info line opens its own document; a message that merely names an exception is no trace', () => {
    const { routed } = transformEvents(
      events([
        '2025-11-20 10:00:00.000 [main] INFO  com.example.App - starting',
        'Exception in thread "main" java.lang.NullPointerException: s is null',
        '\tat com.example.Main.main(Main.java:5)',
        '2025-11-20 10:00:01.000 [main] ERROR com.example.App - java.lang.Exception: in a message',
        'TypeError: not followed by frames',
      ]),
      config,
    );
    expect(
      routed.map((r) => [r.doc.event.id, (r.doc.error as { type?: string } | undefined)?.type]),
    ).toEqual([
      ['e0', undefined],
      ['e1', 'java.lang.NullPointerException'],
      ['e3', undefined],
      ['e4', undefined],
    ]);
    expect(routed[1]!.doc.log).toMatchObject({ type: 'error', level: 'error' });
  });

  it('merges a Python traceback, closed by its exception line, into the logged error', () => {
    const { routed } = transformEvents(
      events([
        '2025-11-20 10:00:00,000 - app.views - ERROR - checkout failed',
        'Traceback (most recent call last):',
        '  File "/app/views.py", line 42, in checkout',
        '    charge(order)',
        'payments.PaymentError: declined',
      ]),
      config,
    );
    expect(routed).toHaveLength(1);
    expect(routed[0]!.doc).toMatchObject({
      message: 'checkout failed',
      error: { type: 'payments.PaymentError', message: 'declined' },
    });
    expect(routed[0]!.doc.tags).toBeUndefined();
  });

  it('merges Node stacks and Go panics', () => {
    const node = transformEvents(
      events([
        'Error: connect ECONNREFUSED',
        '    at TCPConnectWrap.afterConnect (node:net:1555:16)',
        '{"msg":"next"}',
      ]),
      config,
    ).routed;
    expect(node.map((r) => (r.doc.error as { type?: string } | undefined)?.type)).toEqual([
      'Error',
      undefined,
    ]);
    const go = transformEvents(
      events([
        'panic: runtime error: index out of range',
        'goroutine 1 [running]:',
        'main.main()',
        '\t/app/main.go:12 +0x85',
        'exit status 2',
        'restarted',
      ]),
      config,
    ).routed;
    expect(go[0]!.doc).toMatchObject({
      log: { level: 'fatal', type: 'error' },
      error: { type: 'panic', message: 'runtime error: index out of range' },
    });
    expect(go[0]!.doc.tags).toBeUndefined();
    expect(go).toHaveLength(2);
  });

  it('a route can turn merging off', () => {
    const off = parseConfig({
      version: 1,
      routes: [{ name: 'raw', match: { log_group: '/ecs/**' }, multiline: false }],
    });
    expect(transformEvents(events(JAVA), off).routed).toHaveLength(JAVA.length);
  });

  it('splits a trace already inside one event', () => {
    expect(
      splitStack('Request failed\njava.lang.RuntimeException: x\n\tat a.B.c(B.java:1)'),
    ).toEqual({
      message: 'Request failed',
      level: 'error',
      error: {
        type: 'java.lang.RuntimeException',
        message: 'x',
        stack_trace: 'java.lang.RuntimeException: x\n\tat a.B.c(B.java:1)',
      },
    });
    expect(splitStack('two\nplain lines')).toBeUndefined();
  });

  it("keeps Node's `[cause]` block after the last frame in the trace, and ends it at column 0", () => {
    // Prepare
    const lines = [
      'Error: upstream failed',
      '    at fetchUpstream (/srv/src/upstream.js:10:11)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5) {',
      '  [cause]: Error: socket hang up',
      '      at connResetException (node:internal/errors:720:14) {',
      "    code: 'ECONNRESET'",
      '  }',
      '}',
      'next line at column 0',
    ];
    // Act
    const { routed } = transformEvents(events(lines), config);
    // Assess
    expect(routed.map((r) => r.doc.message)).toEqual([
      'Error: upstream failed',
      'next line at column 0',
    ]);
    expect(routed[0]!.doc.error).toMatchObject({ type: 'Error', message: 'upstream failed' });
    expect(String((routed[0]!.doc.error as { stack_trace: string }).stack_trace)).toContain(
      '[cause]',
    );
  });

  it('an unclosed brace block still ends at the next line at column 0', () => {
    const lines = [
      'Error: x',
      '    at f (/a.js:1:1) {',
      "  code: 'E'",
      'INFO next event',
      'INFO another',
    ];
    const { routed } = transformEvents(events(lines), config);
    expect(routed.map((r) => r.doc.message)).toEqual([
      'Error: x',
      'INFO next event',
      'INFO another',
    ]);
  });

  it('reads a Python exception group and a Go re-panic as one trace each', () => {
    const group = splitStack(
      [
        'failed',
        '  + Exception Group Traceback (most recent call last):',
        '  |   File "/srv/t.py", line 9, in main',
        '  |     raise ExceptionGroup("two", errs)',
        '  | ExceptionGroup: two (2 sub-exceptions)',
        '  +-+---------------- 1 ----------------',
        '    | ValueError: bad value',
      ].join('\n'),
    );
    expect(group?.error).toMatchObject({
      type: 'ExceptionGroup',
      message: 'two (2 sub-exceptions)',
    });
    const { routed } = transformEvents(
      events([
        'panic: boom [recovered]',
        '\tpanic: boom',
        '',
        'goroutine 7 [running]:',
        'main.f()',
        '\t/a.go:3 +0x1',
        'exit status 2',
        'after',
      ]),
      config,
    );
    expect(routed).toHaveLength(2);
    expect(routed[0]!.doc.error).toMatchObject({ type: 'panic', message: 'boom [recovered]' });
  });
});
