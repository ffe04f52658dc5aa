import { describe, expect, it } from 'vitest';
import type { Fields } from '#shared/model.ts';
import { setPath } from '#shared/parse/format/values.ts';

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
