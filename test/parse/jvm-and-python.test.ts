import { describe, expect, it } from 'vitest';
import { parseLine } from '#shared/parse/index.ts';

const ctx = { eventTime: Date.UTC(2025, 10, 20, 10, 0, 30), source: {} };

describe('Spring Boot', () => {
  it('2.x: padded thread, zone-less time in UTC', () => {
    const p = parseLine(
      '2025-11-20 10:00:00.123  INFO 12345 --- [           main] o.s.b.w.e.tomcat.TomcatWebServer  : Tomcat started on port(s): 8080 (http)',
      ctx,
    );
    expect(p).toEqual({
      dataset: 'app.spring',
      time: Date.UTC(2025, 10, 20, 10, 0, 0, 123),
      level: 'info',
      message: 'Tomcat started on port(s): 8080 (http)',
      fields: {
        log: { logger: 'o.s.b.w.e.tomcat.TomcatWebServer' },
        process: { pid: 12345, thread: { name: 'main' } },
      },
    });
  });

  it('3.2+: application name, correlation ids and an offset', () => {
    const p = parseLine(
      '2025-11-20T11:00:02.789+01:00 ERROR 1 --- [orders] [nio-8080-exec-1] [0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331] c.e.OrderController : failed',
      ctx,
    );
    expect(p).toMatchObject({
      dataset: 'app.spring',
      time: Date.UTC(2025, 10, 20, 10, 0, 2, 789),
      level: 'error',
      fields: {
        service: { name: 'orders' },
        trace: { id: '0af7651916cd43dd8448eb211c80319c' },
        span: { id: 'b7ad6b7169203331' },
      },
    });
  });
});

describe('logback', () => {
  it('takes the date of a time-only line from the CloudWatch time, across midnight', () => {
    const p = parseLine(
      '23:59:59.999 [pool-1-thread-2] WARN  c.e.jobs.Nightly - nightly job slow',
      {
        ...ctx,
        eventTime: Date.UTC(2025, 10, 21, 0, 0, 1),
      },
    );
    expect(p).toMatchObject({
      dataset: 'app.logback',
      level: 'warn',
      message: 'nightly job slow',
      fields: {
        log: { logger: 'c.e.jobs.Nightly' },
        process: { thread: { name: 'pool-1-thread-2' } },
      },
    });
    expect(p.time).toBe(Date.UTC(2025, 10, 20, 23, 59, 59, 999));
  });

  it.each([
    '2025-11-20 10:00:02.000 [main] ERROR com.example.Api - boom',
    '2025-11-20 10:00:02,000 ERROR [main] com.example.Api - boom',
  ])('reads %s', (line) => {
    expect(parseLine(line, ctx)).toMatchObject({
      dataset: 'app.logback',
      level: 'error',
      message: 'boom',
      time: Date.UTC(2025, 10, 20, 10, 0, 2),
    });
  });
});

describe('Python logging', () => {
  it.each([
    ['WARNING:root:disk low', 'warn', 'root', 'disk low', undefined],
    [
      '2025-11-20 10:00:01,234 - myapp.db - ERROR - pool exhausted',
      'error',
      'myapp.db',
      'pool exhausted',
      Date.UTC(2025, 10, 20, 10, 0, 1, 234),
    ],
    [
      '[2025-11-20 10:00:02,000] ERROR in app: Exception on /x [POST]',
      'error',
      'app',
      'Exception on /x [POST]',
      Date.UTC(2025, 10, 20, 10, 0, 2),
    ],
    [
      '2025-11-20 10:00:03,500 [INFO] celery.worker: Task ok',
      'info',
      'celery.worker',
      'Task ok',
      Date.UTC(2025, 10, 20, 10, 0, 3, 500),
    ],
    [
      '2025-11-20 10:00:05,999 CRITICAL out of retries',
      'fatal',
      undefined,
      'out of retries',
      Date.UTC(2025, 10, 20, 10, 0, 5, 999),
    ],
  ])('%s', (line, level, logger, message, time) => {
    const p = parseLine(line, ctx);
    expect(p.dataset).toBe('app.python');
    expect(p.level).toBe(level);
    expect((p.fields?.log as { logger?: string } | undefined)?.logger).toBe(logger);
    expect(p.message).toBe(message);
    expect(p.time).toBe(time);
  });
});
