import { describe, expect, it } from 'vitest';
import { parseLine } from '#shared/parse/index.ts';
import type { ParseContext } from '#shared/parse/types.ts';

// Common variants of the stock formats, read with no configuration at all.
const ctx: ParseContext = { eventTime: Date.UTC(2025, 10, 20, 10), source: { logGroup: '/web' } };

describe('nginx access variants', () => {
  it('a client field that is an X-Forwarded-For list', () => {
    const p = parseLine(
      '10.0.0.2, 10.0.0.1 - - [20/Nov/2025:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8"',
      ctx,
    );
    expect(p.dataset).toBe('nginx.access');
    expect(p.fields).toMatchObject({
      source: { ip: '10.0.0.2' },
      network: { forwarded_ip: ['10.0.0.2', '10.0.0.1'] },
    });
  });

  it('ingress-nginx upstreaminfo, with upstream lists', () => {
    const p = parseLine(
      '192.168.1.10 - - [20/Nov/2025:10:00:00 +0000] "GET /api HTTP/1.1" 502 150 "-" "curl/8" 512 0.105 [default-api-80] [] 10.244.0.5:8080, 10.244.0.6:8080 0, 150 0.050, 0.055 502, 502 0d9e7bcb0b3f4c9e8e3d1c2b1a0f9e8d',
      ctx,
    );
    expect(p.fields).toMatchObject({
      event: { duration: 105_000_000 },
      http: { request: { id: '0d9e7bcb0b3f4c9e8e3d1c2b1a0f9e8d', bytes: 512 } },
      nginx: {
        ingress: { upstream_name: 'default-api-80' },
        upstream: {
          address: ['10.244.0.5:8080', '10.244.0.6:8080'],
          response_length: [0, 150],
          response_time_ms: [50, 55],
          status: [502, 502],
        },
      },
    });
    expect(p.app).toBeUndefined();
  });

  it('combined with $request_time and $upstream_response_time appended, or as pairs', () => {
    const bare = parseLine(
      '1.2.3.4 - - [20/Nov/2025:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8" 0.052 0.050',
      ctx,
    );
    expect(bare.fields).toMatchObject({
      event: { duration: 52_000_000 },
      nginx: { upstream: { response_time_ms: 50 } },
    });
    const pairs = parseLine(
      '1.2.3.4 - - [20/Nov/2025:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8" rt=0.052 uct="0.001" uht="0.040" urt="0.050" tenant=acme',
      ctx,
    );
    expect(pairs.fields?.nginx).toEqual({
      upstream: { connect_time_ms: 1, header_time_ms: 40, response_time_ms: 50 },
    });
    expect(pairs.app).toEqual({ tenant: 'acme' });
  });

  it('a unix socket or hostname client is source.address, never source.ip', () => {
    for (const client of ['unix:', 'web-1.internal']) {
      const p = parseLine(
        `${client} - - [20/Nov/2025:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "-"`,
        ctx,
      );
      expect(p.fields?.source).toEqual({ address: client });
    }
  });

  it('a trailer past the budget is kept whole, not hunted for pairs, and tagged', () => {
    const p = parseLine(
      `1.2.3.4 - - [20/Nov/2025:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "-" ${'k=v '.repeat(3000)}`,
      ctx,
    );
    expect(p.tags).toEqual(['_parse_budget']);
    expect(typeof p.app?.trailing).toBe('string');
  });
});

describe('nginx or Apache from the line alone', () => {
  const line = (tail: string, version = '1.1') =>
    `203.0.113.5 - - [20/Nov/2025:10:00:00 +0000] "GET /a HTTP/${version}" 200 5${tail}`;
  it.each([
    ['combined', line(' "-" "curl/8"'), 'nginx.access'],
    ['common (no referrer, agent)', line(''), 'apache.access'],
    ['\\" escapes', line(' "-" "say \\"hi\\""'), 'apache.access'],
    ['HTTP/2 without .0', line(' "-" "curl/8"', '2'), 'apache.access'],
    ['%D appended', line(' "-" "curl/8" 5123'), 'apache.access'],
    ['$request_time appended', line(' "-" "curl/8" 0.005'), 'nginx.access'],
  ])('%s', (_name, text, dataset) => {
    expect(parseLine(text, ctx).dataset).toBe(dataset);
  });

  it('vhost_combined puts the virtual host in destination', () => {
    const p = parseLine(
      'www.example.com:443 203.0.113.5 - - [20/Nov/2025:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8"',
      ctx,
    );
    expect(p.dataset).toBe('apache.access');
    expect(p.fields).toMatchObject({
      destination: { domain: 'www.example.com', port: 443 },
      source: { ip: '203.0.113.5' },
    });
  });

  it('the %D after an Apache line is its duration in ns', () => {
    expect(parseLine(line(' "-" "curl/8" 5123'), ctx).fields?.event).toEqual({
      duration: 5_123_000,
    });
  });
});

describe('HAProxy variants', () => {
  it("the default format ('Connect from') behind syslog", () => {
    const p = parseLine(
      'Feb  6 12:12:09 localhost haproxy[14385]: Connect from 10.0.1.2:33312 to 10.0.3.31:8012 (www/HTTP)',
      ctx,
    );
    expect(p.dataset).toBe('haproxy.http');
    expect(p.fields).toMatchObject({
      source: { ip: '10.0.1.2', port: 33312 },
      destination: { ip: '10.0.3.31', port: 8012 },
      haproxy: { frontend_name: 'www', mode: 'http' },
    });
  });
});

describe('Apache 2.4 error prefixes', () => {
  it('(errno) and AH codes before or after [client]', () => {
    const p = parseLine(
      '[Thu Nov 20 10:00:00.123456 2025] [core:error] [pid 1] (13)Permission denied: [client 1.2.3.4:5678] AH00035: access to /x denied',
      ctx,
    );
    expect(p.message).toBe('access to /x denied');
    expect(p.fields).toMatchObject({
      source: { ip: '1.2.3.4', port: 5678 },
      apache: { error: { errno: 13, errstr: 'Permission denied' } },
      error: { code: 'AH00035' },
    });
    const q = parseLine(
      '[Thu Nov 20 10:00:00.123456 2025] [proxy:error] [pid 2:tid 3] (111)Connection refused: AH00957: HTTP: attempt to connect to 127.0.0.1:8080 (localhost) failed',
      ctx,
    );
    expect(q.fields?.error).toMatchObject({ code: 'AH00957' });
    expect(q.message).toBe('HTTP: attempt to connect to 127.0.0.1:8080 (localhost) failed');
  });

  it('a hostname client is source.address', () => {
    const p = parseLine(
      '[Wed Oct 11 14:32:52 2000] [error] [client host.example.com] client denied by server configuration: /x',
      ctx,
    );
    expect(p.fields?.source).toEqual({ address: 'host.example.com' });
  });
});

describe('syslog corners', () => {
  it('RFC 5424 microsecond fractions with an offset, and a leap second', () => {
    expect(
      parseLine('<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - msg', ctx).time,
    ).toBe(Date.UTC(2003, 7, 24, 12, 14, 15));
    expect(parseLine('<165>1 1990-12-31T23:59:60Z host app - - - leap', ctx).time).toBe(
      Date.UTC(1991, 0, 1),
    );
  });

  it('structured data with escaped values, all-NIL headers, any printable APP-NAME and PROCID', () => {
    const sd = parseLine(
      '<165>1 2003-10-11T22:14:15.003Z h evntslog - ID47 [a@1 x="q\\"u\\]o\\\\te" y=""][b@2] \uFEFFmsg',
      ctx,
    );
    expect(sd.app).toEqual({ structured_data: { 'a@1': { x: 'q"u]o\\te', y: '' }, 'b@2': {} } });
    expect(sd.message).toBe('msg');
    const nil = parseLine('<165>1 - - - - - -', ctx);
    expect(nil.dataset).toBe('syslog');
    expect(nil.message).toBe('<165>1 - - - - - -');
    const odd = parseLine('<14>1 2025-11-20T10:00:00Z h app[x]:1 proc.id:7 - - m', ctx);
    expect(odd.fields?.process).toEqual({ name: 'app[x]:1' });
    expect(odd.app).toEqual({ procid: 'proc.id:7' });
  });

  it('RFC 3164 tags without a colon, repeated-message lines and ISO-8601 times', () => {
    const cron = parseLine('<78>Nov 20 10:00:00 host CRON[812] (root) CMD (run-parts)', ctx);
    expect(cron.fields?.process).toEqual({ name: 'CRON', pid: 812 });
    expect(cron.message).toBe('(root) CMD (run-parts)');
    for (const text of ['--- last message repeated 3 times ---', 'last message repeated 3 times']) {
      const r = parseLine(`Nov 20 10:00:00 host ${text}`, ctx);
      expect(r.dataset).toBe('syslog');
      expect(r.fields?.log).toMatchObject({ syslog: { repeated: 3 } });
    }
    const iso = parseLine('<13>2025-11-20T10:00:00.123+01:00 host sshd[5]: Accepted', ctx);
    expect(iso.time).toBe(Date.UTC(2025, 10, 20, 9, 0, 0, 123));
    expect(parseLine('<13>2025-11-20T10:00:00Z host no tag here', ctx).fields?.host).toEqual({
      hostname: 'host',
    });
    // Without a PRI, `ISO word rest` is as likely plain text: it stays text.
    expect(parseLine('2025-11-20T10:00:00Z something happened', ctx).dataset).toBe('text');
  });
});
