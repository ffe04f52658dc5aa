import { describe, expect, it } from 'vitest';
import { parseLine } from '#shared/parse/index.ts';

describe('nginx error', () => {
  it('parses level, pid, client and request context', () => {
    const p = parseLine(
      '2025/11/20 10:00:03 [error] 29#30: *1187 connect() failed (111: Connection refused) while connecting to upstream, client: 198.51.100.23, server: shop.example.com, request: "POST /api/checkout HTTP/1.1", upstream: "http://10.0.2.15:8080/api/checkout", host: "shop.example.com"',
      { eventTime: 0, source: {} },
    );
    expect(p).toMatchObject({
      dataset: 'nginx.error',
      level: 'error',
      time: Date.UTC(2025, 10, 20, 10, 0, 3),
      message: 'connect() failed (111: Connection refused) while connecting to upstream',
      fields: {
        process: { pid: 29, thread: { id: 30 } },
        source: { ip: '198.51.100.23' },
        http: { request: { method: 'POST' } },
        url: { original: '/api/checkout', domain: 'shop.example.com' },
      },
      app: {
        connection_id: 1187,
        server: 'shop.example.com',
        upstream: 'http://10.0.2.15:8080/api/checkout',
      },
    });
  });

  it('maps crit to fatal and applies the route time zone', () => {
    const p = parseLine('2025/11/20 10:00:05 [crit] 29#29: *1 SSL_do_handshake() failed', {
      eventTime: 0,
      timeZone: 'Europe/Paris',
      source: {},
    });
    expect(p.level).toBe('fatal');
    expect(p.time).toBe(Date.UTC(2025, 10, 20, 9, 0, 5));
  });
});
