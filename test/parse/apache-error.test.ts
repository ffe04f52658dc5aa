import { describe, expect, it } from 'vitest';
import { parseLine } from '#shared/parse/index.ts';

const ctx = { eventTime: Date.UTC(2025, 10, 20), source: {} };

describe('Apache error', () => {
  it('parses 2.4 lines: ctime with microseconds, module, pid/tid, client ip:port, AH code, referer', () => {
    const p = parseLine(
      '[Thu Nov 20 10:00:00.123456 2025] [core:error] [pid 35708:tid 140212329862912] [client 2001:db8::1:57434] AH00037: Symbolic link not allowed: /x, referer: https://www.example.com/',
      ctx,
    );
    expect(p).toEqual({
      dataset: 'apache.error',
      time: Date.UTC(2025, 10, 20, 10, 0, 0, 123),
      level: 'error',
      message: 'Symbolic link not allowed: /x',
      fields: {
        log: { logger: 'core' },
        apache: { error: { module: 'core' } },
        process: { pid: 35708, thread: { id: 140212329862912 } },
        source: { ip: '2001:db8::1', port: 57434 },
        http: { request: { referrer: 'https://www.example.com/' } },
        error: { code: 'AH00037', message: 'Symbolic link not allowed: /x' },
      },
    });
  });

  it('parses 2.2 lines, where the client has no port, in the route time zone', () => {
    const p = parseLine(
      '[Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] client denied by server configuration: /htdocs/test',
      {
        ...ctx,
        timeZone: 'America/New_York',
      },
    );
    expect(p).toMatchObject({
      dataset: 'apache.error',
      level: 'error',
      fields: { source: { ip: '127.0.0.1' } },
    });
    expect(p.time).toBe(Date.UTC(2000, 9, 11, 18, 32, 52));
  });

  it.each([
    ['notice', 'info'],
    ['trace3', 'trace'],
    ['crit', 'fatal'],
    ['warn', 'warn'],
  ])('maps [mod:%s] to %s', (apache, level) => {
    expect(
      parseLine(`[Thu Nov  6 09:05:00.000000 2025] [core:${apache}] [pid 1] msg`, ctx).level,
    ).toBe(level);
  });
});
