import { describe, expect, it } from 'vitest';
import { parseLine } from '#shared/parse/index.ts';
import type { ParseContext } from '#shared/parse/types.ts';

const ctx: ParseContext = {
  eventTime: Date.UTC(2025, 10, 20),
  source: { logGroup: '/ecs/web/nginx' },
};

describe('nginx access', () => {
  it('parses the main format with X-Forwarded-For into typed ECS fields', () => {
    const line =
      '203.0.113.10 - bob [20/Nov/2025:10:00:00 +0100] "GET /api/orders?page=2 HTTP/1.1" 200 1532 "https://shop.example.com/" "curl/8.5.0" "198.51.100.7, 10.0.1.12"';
    const p = parseLine(line, ctx);
    expect(p.dataset).toBe('nginx.access');
    expect(p.time).toBe(Date.UTC(2025, 10, 20, 9, 0, 0));
    expect(p.message).toBe(line);
    expect(p.fields).toEqual({
      http: {
        request: { method: 'GET', referrer: 'https://shop.example.com/' },
        version: '1.1',
        response: { status_code: 200, body: { bytes: 1532 } },
      },
      url: { original: '/api/orders?page=2' },
      source: { ip: '203.0.113.10' },
      user: { name: 'bob' },
      user_agent: { original: 'curl/8.5.0' },
      network: { forwarded_ip: ['198.51.100.7', '10.0.1.12'] },
      client: { ip: '198.51.100.7' },
    });
  });

  it('unescapes \\x22 and keeps a non-HTTP request line whole', () => {
    const q = parseLine(
      '1.2.3.4 - - [20/Nov/2025:10:00:01 +0000] "GET /s?q=\\x22a\\x22 HTTP/2.0" 200 5 "-" "-"',
      ctx,
    );
    expect(q.fields?.url).toEqual({ original: '/s?q="a"' });
    const tls = parseLine(
      '192.0.2.44 - - [20/Nov/2025:10:00:01 +0000] "\\x16\\x03\\x01" 400 157 "-" "-"',
      ctx,
    );
    expect(tls.dataset).toBe('nginx.access');
    expect(tls.fields?.http).toEqual({ response: { status_code: 400, body: { bytes: 157 } } });
    expect(tls.fields?.url).toEqual({ original: '\x16\x03\x01' });
  });

  it('reads - as absent and numbers as numbers', () => {
    const p = parseLine('10.0.0.1 - - [20/Nov/2025:10:00:00 +0000] "-" 408 - "-" "-"', ctx);
    expect(p.fields).toEqual({
      http: { response: { status_code: 408 } },
      source: { ip: '10.0.0.1' },
    });
  });

  it('parses IPv6 clients', () => {
    const p = parseLine(
      '2001:db8::7 - - [20/Nov/2025:10:00:00 +0000] "GET /health HTTP/1.1" 200 2 "-" "ELB-HealthChecker/2.0"',
      ctx,
    );
    expect(p.fields?.source).toEqual({ ip: '2001:db8::7' });
  });
});

describe('apache access', () => {
  it('detects Apache by its \\" escaping and unescapes it', () => {
    const p = parseLine(
      '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a\\"b HTTP/1.0" 200 2326 "-" "Mozilla/4.08"',
      {
        ...ctx,
        source: {},
      },
    );
    expect(p.dataset).toBe('apache.access');
    expect(p.fields?.url).toEqual({ original: '/a"b' });
    expect(p.time).toBe(Date.UTC(2000, 9, 10, 20, 55, 36));
  });

  it('parses the common format (no referrer or agent) in an Apache log group', () => {
    const p = parseLine(
      '127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326',
      {
        ...ctx,
        source: { logGroup: '/ecs/apache-frontend' },
      },
    );
    expect(p.dataset).toBe('apache.access');
    expect(p.fields?.http).toEqual({
      request: { method: 'GET' },
      version: '1.0',
      response: { status_code: 200, body: { bytes: 2326 } },
    });
  });
});

describe('pinned parsers', () => {
  it('records a parse failure instead of dropping the line', () => {
    const p = parseLine('hello world', ctx, 'nginx.access');
    expect(p.dataset).toBe('text');
    expect(p.message).toBe('hello world');
    expect(p.tags).toEqual(['_parse_failure']);
    expect(p.fields).toEqual({ event: { reason: 'line does not match nginx.access' } });
  });
});
