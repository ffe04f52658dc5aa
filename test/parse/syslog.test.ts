import { describe, expect, it } from 'vitest';
import { parseLine } from '#shared/parse/index.ts';

const ctx = { eventTime: Date.UTC(2025, 10, 20, 10, 0, 30), source: {} };

describe('syslog', () => {
  it('RFC 3164 with PRI: facility, severity as level, host, program and pid', () => {
    const p = parseLine("<34>Nov 20 09:14:15 mymachine su[77]: 'su root' failed", ctx);
    expect(p).toEqual({
      dataset: 'syslog',
      time: Date.UTC(2025, 10, 20, 9, 14, 15),
      level: 'fatal',
      message: "'su root' failed",
      fields: {
        log: {
          syslog: {
            priority: 34,
            facility: { code: 4, name: 'auth' },
            severity: { code: 2, name: 'critical' },
          },
        },
        host: { hostname: 'mymachine' },
        process: { name: 'su', pid: 77 },
      },
    });
  });

  it('takes the year from the CloudWatch time, right across New Year', () => {
    const newYear = { ...ctx, eventTime: Date.UTC(2026, 0, 1, 0, 0, 2) };
    expect(parseLine('Dec 31 23:59:59 host cron[1]: ran', newYear).time).toBe(
      Date.UTC(2025, 11, 31, 23, 59, 59),
    );
    const late = { ...ctx, eventTime: Date.UTC(2025, 11, 31, 23, 59, 58) };
    expect(parseLine('Jan  1 00:00:01 host cron[1]: ran', late).time).toBe(
      Date.UTC(2026, 0, 1, 0, 0, 1),
    );
  });

  it('RFC 5424 with structured data (escapes included) under app and a BOM-marked message', () => {
    const p = parseLine(
      '<165>1 2025-11-20T10:00:00.003Z mymachine.example.com evntslog 8710 ID47 [exampleSDID@32473 iut="3" note="a \\"q\\" \\] b"] \uFEFFAn application event',
      ctx,
    );
    expect(p).toMatchObject({
      dataset: 'syslog',
      time: Date.UTC(2025, 10, 20, 10, 0, 0, 3),
      level: 'info',
      message: 'An application event',
      fields: {
        host: { hostname: 'mymachine.example.com' },
        process: { name: 'evntslog', pid: 8710 },
        log: { syslog: { msgid: 'ID47', version: 1 } },
      },
      app: { structured_data: { 'exampleSDID@32473': { iut: '3', note: 'a "q" ] b' } } },
    });
  });

  it('an access line behind a syslog prefix keeps its own dataset', () => {
    const p = parseLine(
      'Nov 20 10:00:05 web1 nginx: 203.0.113.10 - - [20/Nov/2025:10:00:05 +0000] "GET / HTTP/1.1" 200 612 "-" "curl/8.5.0"',
      ctx,
    );
    expect(p).toMatchObject({
      dataset: 'nginx.access',
      fields: { host: { hostname: 'web1' }, process: { name: 'nginx' } },
    });
  });
});
