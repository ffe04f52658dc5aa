import { describe, expect, it } from 'vitest';
import { parseLine } from '#shared/parse/index.ts';
import type { ParseContext } from '#shared/parse/types.ts';

const ctx: ParseContext = {
  eventTime: Date.UTC(2025, 1, 26, 5, 17, 10),
  source: { logGroup: '/ec2/haproxy' },
};

describe('HAProxy httplog', () => {
  it('maps the client, request, status, bytes and Ta (ns) and types timers and counters', () => {
    const p = parseLine(
      '10.0.1.2:33317 [26/Feb/2025:05:17:05.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 {1wt.eu} {} "GET /index.html HTTP/1.1"',
      ctx,
    );
    expect(p).toMatchObject({
      dataset: 'haproxy.http',
      time: Date.UTC(2025, 1, 26, 5, 17, 5, 655),
      fields: {
        source: { ip: '10.0.1.2', port: 33317 },
        http: {
          request: { method: 'GET' },
          version: '1.1',
          response: { status_code: 200, bytes: 2750 },
        },
        url: { original: '/index.html' },
        event: { duration: 109_000_000 },
        haproxy: {
          frontend_name: 'http-in',
          backend_name: 'static',
          server_name: 'srv1',
          timers: { request_ms: 10, queue_ms: 0, connect_ms: 30, response_ms: 69, active_ms: 109 },
          termination_state: '----',
          connections: { active: 1, frontend: 1, backend: 1, server: 1, retries: 0 },
          queue: { server: 0, backend: 0 },
          http: { request: { captured_headers: ['1wt.eu'] } },
        },
      },
    });
    expect(p.app).toBeUndefined();
  });

  it('splits an unbracketed IPv6 client on the last colon and undoes #22 escaping', () => {
    const p = parseLine(
      '2001:db8::1:43174 [26/Feb/2025:05:17:05.123] https-in~ api/web2 0/0/1/12/13 503 212 - - sC-- 3/3/0/0/3 0/0 "GET /s?q=#22x#22 HTTP/2.0"',
      ctx,
    );
    expect(p.fields?.source).toEqual({ ip: '2001:db8::1', port: 43174 });
    expect(p.fields?.url).toEqual({ original: '/s?q="x"' });
  });

  it('writes no request for <BADREQ>, reads -1 timers as absent, and reads the accept date in the route zone', () => {
    const p = parseLine(
      '192.0.2.9:5555 [26/Feb/2025:06:17:05.001] fe be/<NOSRV> -1/-1/-1/-1/-1 400 187 - - PR-- 1/1/0/0/0 0/0 "<BADREQ>"',
      { ...ctx, timeZone: 'Europe/Paris' },
    );
    expect(p.fields?.url).toBeUndefined();
    expect(p.fields?.event).toBeUndefined();
    expect(p.fields?.haproxy).not.toHaveProperty('timers');
    expect(p.fields?.http).toEqual({ response: { status_code: 400, bytes: 187 } });
    expect(p.time).toBe(Date.UTC(2025, 1, 26, 5, 17, 5, 1));
  });
});

describe('HAProxy tcplog', () => {
  it('maps Tt to event.duration and B to destination.bytes', () => {
    const p = parseLine(
      '10.0.1.2:33313 [06/Feb/2009:12:12:51.443] fnt bck/srv1 0/0/5007 212 -- 0/0/0/0/3 0/0',
      ctx,
    );
    expect(p).toMatchObject({
      dataset: 'haproxy.tcp',
      fields: {
        source: { ip: '10.0.1.2', port: 33313 },
        destination: { bytes: 212 },
        event: { duration: 5_007_000_000 },
        haproxy: {
          frontend_name: 'fnt',
          backend_name: 'bck',
          server_name: 'srv1',
          timers: { queue_ms: 0, connect_ms: 0, total_ms: 5007 },
          termination_state: '--',
          connections: { retries: 3 },
        },
      },
    });
  });
});

describe('HAProxy JSON log-format', () => {
  it('reads HAProxy variable names behind a syslog prefix, numbers as numbers', () => {
    const line =
      'Feb 26 05:17:05 localhost haproxy[22]: {"ci":"2001:db8::5","cp":43174,"t":"26/Feb/2025:05:17:05.120","ft":"fe","b":"be","s":"s1","Tw":0,"Tc":1,"Tr":10,"Tt":15,"ST":200,"B":512,"r":"GET /a?b=1 HTTP/1.1","HM":"GET","HU":"/a?b=1","HP":"/a","HQ":"?b=1","HV":"HTTP/1.1","tsc":"----"}';
    const p = parseLine(line, ctx);
    expect(p).toMatchObject({
      dataset: 'haproxy.http',
      time: Date.UTC(2025, 1, 26, 5, 17, 5, 120),
      fields: {
        host: { hostname: 'localhost' },
        process: { name: 'haproxy', pid: 22 },
        source: { ip: '2001:db8::5', port: 43174 },
        http: {
          request: { method: 'GET' },
          version: '1.1',
          response: { status_code: 200, bytes: 512 },
        },
        url: { original: '/a?b=1', path: '/a', query: 'b=1' },
        event: { duration: 15_000_000 },
        haproxy: { frontend_name: 'fe', timers: { total_ms: 15, response_ms: 10 } },
      },
    });
    expect(p.app).toBeUndefined();
  });

  it('coerces quoted numbers and tells tcp from http by the variables present', () => {
    const p = parseLine(
      '{"ci":"192.0.2.30","cp":"6000","ft":"redis-in","b":"redis","s":"r1","Tt":"60000","B":"4096","ts":"--"}',
      ctx,
    );
    expect(p).toMatchObject({
      dataset: 'haproxy.tcp',
      fields: {
        source: { ip: '192.0.2.30', port: 6000 },
        destination: { bytes: 4096 },
        event: { duration: 6e10 },
      },
    });
  });

  it('a route pinned to haproxy.http reads syslog-prefixed httplog lines', () => {
    const p = parseLine(
      '<134>Feb 26 05:17:05 lb1 haproxy[22]: 10.0.0.9:5555 [26/Feb/2025:05:17:05.001] fe be/s1 0/0/0/1/1 200 10 - - ---- 1/1/0/0/0 0/0 "GET / HTTP/1.1"',
      ctx,
      'haproxy.http',
    );
    expect(p).toMatchObject({
      dataset: 'haproxy.http',
      level: 'info',
      fields: { host: { hostname: 'lb1' }, log: { syslog: { priority: 134 } } },
    });
  });
});
