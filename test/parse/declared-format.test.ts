import { describe, expect, it } from 'vitest';
import { parseConfig } from '#shared/config/file.ts';
import { parseConfigText } from '#shared/config/yaml.ts';
import { ConfigError, FormatError } from '#shared/errors.ts';
import type { InputEvent } from '#shared/model.ts';
import { compileFormat, type FormatSpec } from '#shared/parse/format/compile.ts';
import { parseLine } from '#shared/parse/index.ts';
import type { ParseContext } from '#shared/parse/types.ts';
import { transformEvents } from '#shared/transform/transform-events.ts';

const ctx: ParseContext = { eventTime: Date.UTC(2025, 10, 20, 10), source: {} };
const nginx = (format: string, mode?: FormatSpec['escape']) =>
  compileFormat({ name: 'n', family: 'nginx', format, escape: mode });
const apache = (format: string) => compileFormat({ name: 'a', family: 'apache', format });
const haproxy = (format: string) => compileFormat({ name: 'h', family: 'haproxy', format });

const EDGE =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" rt=$request_time urt="$upstream_response_time" $request_id';
const HTTPLOG =
  '%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r';

describe('declared nginx formats', () => {
  it('types every variable of the issue example with ECS units', () => {
    // Act
    const p = nginx(EDGE).parse(
      '203.0.113.9 - alice [20/Nov/2025:10:00:00 +0100] "GET /api?q=\\x22x\\x22 HTTP/2.0" 200 512 "-" "curl/8.5.0" rt=0.052 urt="0.010, 0.040 : 0.002" 7f3c9a1e0b2d4c5e',
      ctx,
    );
    // Assess
    expect(p).toEqual({
      dataset: 'nginx.access',
      time: Date.UTC(2025, 10, 20, 9),
      message: expect.any(String),
      fields: {
        source: { ip: '203.0.113.9' },
        user: { name: 'alice' },
        http: {
          request: { method: 'GET', id: '7f3c9a1e0b2d4c5e' },
          version: '2.0',
          response: { status_code: 200, body: { bytes: 512 } },
        },
        url: { original: '/api?q="x"' },
        user_agent: { original: 'curl/8.5.0' },
        event: { duration: 52_000_000 },
        nginx: { upstream: { response_time_ms: [10, 40, 2] } },
      },
    });
  });

  it('reads - as absent, unix sockets as source.address, forwarded lists, host and custom variables', () => {
    const f = nginx(
      '$remote_addr $host "$http_x_forwarded_for" $upstream_connect_time $upstream_status $my_tenant $http_x_trace $connection_requests',
    );
    const p = f.parse('unix: shop.example.com "198.51.100.7, 10.0.0.2" - 502 acme - 3', ctx);
    expect(p?.fields).toEqual({
      source: { address: 'unix:' },
      url: { domain: 'shop.example.com' },
      network: { forwarded_ip: ['198.51.100.7', '10.0.0.2'] },
      client: { ip: '198.51.100.7' },
      nginx: { upstream: { status: 502 }, connection: { requests: 3 } },
    });
    expect(p?.app).toEqual({ my_tenant: 'acme' });
  });

  it('decodes escape=json values and a leading escape= in the string', () => {
    const line = '{"ua":"say \\"hi\\"\\n","t":"2025-11-20T10:00:00+00:00","rt":0.5}';
    for (const f of [
      nginx('{"ua":"$http_user_agent","t":"$time_iso8601","rt":$request_time}', 'json'),
      nginx('escape=json {"ua":"$http_user_agent","t":"$time_iso8601","rt":$request_time}'),
    ]) {
      const p = f.parse(line, ctx);
      expect(p?.fields?.user_agent).toEqual({ original: 'say "hi"\n' });
      expect(p?.time).toBe(Date.UTC(2025, 10, 20, 10));
      expect(p?.fields?.event).toEqual({ duration: 500_000_000 });
    }
  });

  it('refuses lines that do not fit, without throwing', () => {
    const f = nginx(EDGE);
    expect(f.parse('', ctx)).toBeUndefined();
    expect(
      f.parse('1.2.3.4 - - [20/Nov/2025:10:00:00 +0100] "GET / HTTP/1.1" 200', ctx),
    ).toBeUndefined();
    expect(
      f.parse('1.2.3.4 - - [bad time] "GET / HTTP/1.1" 200 1 "-" "-" rt=1 urt="1" x', ctx),
    ).toBeUndefined();
  });
});

describe('declared Apache formats', () => {
  it('maps %h hostnames, \\" escapes, %D microseconds and headers', () => {
    const f = apache(
      '%h %l %u %t \\"%r\\" %>s %b \\"%{Referer}i\\" \\"%{User-Agent}i\\" %D %{Host}i %{X-Tenant}i %X',
    );
    const p = f.parse(
      'host.example.org - frank [10/Oct/2000:13:55:36 -0700] "GET /a\\"b HTTP/1.0" 200 - "http://x/" "Mozilla/4.08" 1234 www.example.com:8443 acme -',
      ctx,
    );
    expect(p).toMatchObject({
      dataset: 'apache.access',
      time: Date.UTC(2000, 9, 10, 20, 55, 36),
      fields: {
        source: { address: 'host.example.org' },
        user: { name: 'frank' },
        url: { original: '/a"b', domain: 'www.example.com', port: 8443 },
        http: { request: { method: 'GET', referrer: 'http://x/' }, response: { status_code: 200 } },
        event: { duration: 1_234_000 },
      },
      app: { http_x_tenant: 'acme', connection_status: '-' },
    });
    // %b's `-` (no body) is absent, not 0 and not the string "-".
    expect(p?.fields?.http).toMatchObject({ response: { status_code: 200 } });
    expect(JSON.stringify(p?.fields?.http)).not.toContain('body');
  });

  it('reads strftime times, msec_frac, %{ms}T, %I/%O/%S and ports', () => {
    const f = apache(
      '%{%Y-%m-%d %H:%M:%S}t.%{msec_frac}t %a:%{remote}p %v:%p %{ms}T %I %O %S %{tid}P',
    );
    const p = f.parse('2025-11-20 10:00:00.250 2001:db8::5:51000 shop:443 12 300 4000 4300 140', {
      ...ctx,
      timeZone: 'Europe/Paris',
    });
    expect(p?.time).toBe(Date.UTC(2025, 10, 20, 9, 0, 0, 250));
    expect(p?.fields).toEqual({
      source: { ip: '2001:db8::5', port: 51000 },
      destination: { domain: 'shop', port: 443 },
      event: { duration: 12_000_000 },
      http: { request: { bytes: 300 }, response: { bytes: 4000 } },
      network: { bytes: 4300 },
      process: { thread: { id: 140 } },
    });
  });
});

describe('declared HAProxy formats', () => {
  it('types timers, counters and captures of the httplog format, keeping IPv6 colons', () => {
    const p = haproxy(HTTPLOG).parse(
      '2001:db8::1:33317 [20/Nov/2025:10:00:00.655] http-in~ static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/+2 0/0 {1wt.eu|curl} "GET /index.html HTTP/1.1"',
      ctx,
    );
    expect(p?.dataset).toBe('haproxy.http');
    expect(p?.time).toBe(Date.UTC(2025, 10, 20, 10, 0, 0, 655));
    expect(p?.fields).toMatchObject({
      source: { ip: '2001:db8::1', port: 33317 },
      event: { duration: 109_000_000 },
      tls: { established: true },
      haproxy: {
        frontend_name: 'http-in',
        timers: { request_ms: 10, queue_ms: 0, connect_ms: 30, response_ms: 69, active_ms: 109 },
        connections: { active: 1, frontend: 1, backend: 1, server: 1, retries: 2 },
        redispatched: true,
        queue: { server: 0, backend: 0 },
        http: { request: { captured_headers: ['1wt.eu', 'curl'] } },
      },
      http: { response: { status_code: 200, bytes: 2750 } },
    });
  });

  it('reads a format with no captures (merged separators), aborted timers and <BADREQ>', () => {
    const p = haproxy(HTTPLOG).parse(
      '10.0.0.1:33317 [20/Nov/2025:10:00:00.655] http-in static/<NOSRV> -1/-1/-1/-1/3001 408 212 - - cR-- 1/1/0/0/0 0/0 "<BADREQ>"',
      ctx,
    );
    expect(p?.fields?.haproxy).toMatchObject({
      timers: { active_ms: 3001 },
      server_name: '<NOSRV>',
    });
    expect(p?.fields?.url).toBeUndefined();
  });

  it('keeps a request cut at the length limit and tags it _truncated', () => {
    const p = haproxy(HTTPLOG).parse(
      '10.0.0.1:1 [20/Nov/2025:10:00:00.655] f b/s 0/0/0/1/1 200 1 - - ---- 1/1/1/1/0 0/0 "GET /very/long/pa',
      ctx,
    );
    expect(p?.tags).toEqual(['_truncated']);
    expect(p?.fields?.url).toEqual({ original: '/very/long/pa' });
  });

  it('tcplog is haproxy.tcp with destination bytes; %[fetch] and +X hex', () => {
    const tcp = haproxy(
      '%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %{+X}Ts %[ssl_fc_sni] %[var(txn.x),lower]',
    );
    const p = tcp.parse(
      '10.0.0.1:5 [20/Nov/2025:10:00:00.443] fnt bck/srv1 0/0/5007 212 -- 691EE570 db.local Mix',
      ctx,
    );
    expect(p?.dataset).toBe('haproxy.tcp');
    expect(p?.fields).toMatchObject({
      destination: { bytes: 212 },
      event: { duration: 5_007_000_000 },
      tls: { client: { server_name: 'db.local' } },
    });
    expect(p?.app).toEqual({ var_txn_x: 'Mix' });
  });
});

describe('format compilation errors', () => {
  it.each([
    ['nginx', '$remote_addr $status$body_bytes_sent', 20, '$body_bytes_sent'],
    ['nginx', '$remote_addr $', 13, '$'],
    ['apache', '%h %{Referer}Z', 3, '%{Referer}Z'],
    ['apache', '%h %{Referer', 3, undefined],
    ['haproxy', '%ci:%cp %Tz', 8, '%Tz'],
    ['haproxy', '%ci %[src', 4, undefined],
    ['apache', '%{%Q}t', 3, '%Q'],
  ] as const)('%s %s fails at %i naming %s', (family, format, position, variable) => {
    try {
      compileFormat({ name: 'x', family, format });
      expect.fail('compiled');
    } catch (err) {
      expect(err).toBeInstanceOf(FormatError);
      expect((err as FormatError).position).toBe(position);
      if (variable) expect((err as FormatError).variable).toBe(variable);
    }
  });

  it('is a ConfigError naming the file, the path, the position and the variable', () => {
    const text = "version: 1\nformats:\n  - name: lb\n    haproxy: '%ci:%cp [%tr] %Tz'\n";
    expect(() => parseConfigText(text, 'my.yml')).toThrow(ConfigError);
    try {
      parseConfigText(text, 'my.yml');
    } catch (err) {
      expect((err as ConfigError).path).toBe('formats[0].haproxy');
      expect((err as Error).message).toMatch(
        /my\.yml: formats\[0\]\.haproxy: position 14, %Tz: unknown/,
      );
    }
  });

  it('rejects a route naming an undeclared format, a duplicate name and two families at once', () => {
    expect(() =>
      parseConfig({ version: 1, routes: [{ name: 'r', match: {}, parser: 'edge' }] }),
    ).toThrow(/routes\[0\]\.parser: unknown parser edge/);
    expect(() =>
      parseConfig({
        version: 1,
        formats: [
          { name: 'a', nginx: '$status' },
          { name: 'a', nginx: '$status' },
        ],
      }),
    ).toThrow(/formats\[1\]\.name: format a is declared twice/);
    expect(() =>
      parseConfig({ version: 1, formats: [{ name: 'a', nginx: '$a', apache: '%h' }] }),
    ).toThrow(/exactly one of nginx, apache or haproxy/);
  });
});

describe('a route pinning a declared format', () => {
  const config = parseConfig({
    version: 1,
    formats: [{ name: 'edge', nginx: EDGE }],
    routes: [{ name: 'edge', match: { log_group: '/ec2/edge/**' }, parser: 'edge' }],
  });
  const event = (message: string, i: number): InputEvent => ({
    id: `e${i}`,
    timestamp: Date.UTC(2025, 10, 20, 10),
    message,
    source: { logGroup: '/ec2/edge/web', logStream: 's' },
    recordId: 'r',
  });

  it('indexes its lines typed, auto-detects a line that does not fit, and keeps text as the floor', () => {
    const lines = [
      '203.0.113.9 - - [20/Nov/2025:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl" rt=0.004 urt="0.003" abc',
      '2025/11/20 10:00:03 [error] 29#30: *1 connect() failed, client: 198.51.100.23, server: x',
      'free text nobody declared',
    ];
    const { routed } = transformEvents(lines.map(event), config);
    expect(routed.map((r) => [r.doc.event.dataset, r.doc.tags])).toEqual([
      ['nginx.access', undefined],
      ['nginx.error', ['_format_mismatch']],
      ['text', ['_parse_failure']],
    ]);
    expect(routed[0]!.doc.event.duration).toBe(4_000_000);
    expect(routed[2]!.doc.event.reason).toBe('line does not match format edge');
  });

  it('parses the body of a syslog-prefixed line', () => {
    const p = parseLine(
      'Nov 20 10:00:00 web1 nginx: 203.0.113.9 - - [20/Nov/2025:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl" rt=0.004 urt="-" abc',
      ctx,
      nginx(EDGE),
    );
    expect(p.dataset).toBe('nginx.access');
    expect(p.fields?.host).toEqual({ hostname: 'web1' });
  });
});
