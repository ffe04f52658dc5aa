import { describe, expect, it } from 'vitest';
import type { Fields } from '#shared/model.ts';
import { compileFormat } from '#shared/parse/format/compile.ts';
import { setPath } from '#shared/parse/format/setters.ts';
import type { ParseContext } from '#shared/parse/types.ts';

describe('setPath (the per-path setters of declared formats)', () => {
  it('creates the objects on the way and keeps what is already there', () => {
    // Arrange
    const fields: Fields = { http: { version: '1.1' } };
    // Act
    setPath(fields, 'http.response.status_code', 200);
    setPath(fields, 'http.response.body.bytes', 512);
    setPath(fields, 'user.name', 'alice');
    // Assess
    expect(fields).toEqual({
      http: { version: '1.1', response: { status_code: 200, body: { bytes: 512 } } },
      user: { name: 'alice' },
    });
    // Insertion order is the document's key order.
    expect(JSON.stringify(fields)).toBe(
      '{"http":{"version":"1.1","response":{"status_code":200,"body":{"bytes":512}}},"user":{"name":"alice"}}',
    );
  });

  it('replaces a string, an array or a null in the way by an object', () => {
    // Arrange
    const fields: Fields = { a: 'text', b: ['x'], c: null };
    // Act
    for (const path of ['a.x', 'b.x', 'c.x']) setPath(fields, path, 1);
    // Assess
    expect(fields).toEqual({ a: { x: 1 }, b: { x: 1 }, c: { x: 1 } });
  });

  it('writes the same through its built setter as on first use', () => {
    // Arrange: the first call builds the setter, later ones run it.
    const docs: Fields[] = [{}, {}, { source: 'x' }];
    // Act
    for (const d of docs) setPath(d, 'source.ip', '10.0.0.1');
    // Assess
    expect(docs).toEqual([
      { source: { ip: '10.0.0.1' } },
      { source: { ip: '10.0.0.1' } },
      { source: { ip: '10.0.0.1' } },
    ]);
  });

  it('sets names that are no plain identifier as they are', () => {
    // Arrange
    const fields: Fields = {};
    // Act
    setPath(fields, 'app.x-tenant.id', 'acme');
    setPath(fields, 'app.1st', true);
    // Assess
    expect(fields).toEqual({ app: { 'x-tenant': { id: 'acme' }, '1st': true } });
  });
});

describe('numbers a declared format reads straight from the line', () => {
  const ctx: ParseContext = { eventTime: Date.UTC(2025, 10, 20, 10), source: {} };
  const nginx = compileFormat({
    name: 'n',
    family: 'nginx',
    format: '$status $body_bytes_sent $request_time $arg_n',
  });
  const lb = compileFormat({ name: 'h', family: 'haproxy', format: '%Tw/%Ta %B %ac/%rc' });
  const http = (line: string) => nginx.parse(line, ctx);

  it('reads digits as the text conversion would, leading zeros included', () => {
    // Act
    const p = http('007 000512 3 42');
    // Assess
    expect(p?.fields).toEqual({
      http: { response: { status_code: 7, body: { bytes: 512 } } },
      event: { duration: 3e9 },
    });
    expect(p?.app).toEqual({ arg_n: 42 });
  });

  it('leaves signs, fractions, escapes and over-long digit runs to the text conversion', () => {
    // Act
    const p = http('+200 1234567890123456 0.052 \\x34\\x32');
    // Assess: `+200` is an int, 16 digits are not, an escaped `42` decodes to digits.
    expect(p?.fields).toEqual({
      http: { response: { status_code: 200 } },
      event: { duration: 52e6 },
    });
    expect(p?.app).toEqual({ arg_n: 42 });
  });

  it('gives HAProxy timers, byte counts and retries the same meaning', () => {
    // Act
    const p = lb.parse('-1/15 2048 3/+1', ctx);
    // Assess (`%Ta` makes the format HTTP: bytes are the response's)
    expect(p?.fields).toEqual({
      haproxy: {
        timers: { active_ms: 15 },
        connections: { active: 3, retries: 1 },
        redispatched: true,
      },
      event: { duration: 15e6 },
      http: { response: { bytes: 2048 } },
    });
  });
});
