import { describe, expect, it } from 'vitest';
import type { EventSource } from '#shared/model.ts';
import { pemBodyLines } from '#shared/transform/pem-lines.ts';
import { growth } from '#test/helpers/linear-time.ts';

const BEGIN = '-----BEGIN PRIVATE KEY-----';
const END = '-----END PRIVATE KEY-----';
const BODY = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj';

const at = (stream: string, wrapper?: Record<string, unknown>): EventSource => ({
  logGroup: '/ecs/web',
  logStream: stream,
  ...(wrapper ? { wrapper } : {}),
});
const lines = (source: EventSource, ...texts: string[]) => texts.map((line) => ({ line, source }));

describe('pemBodyLines', () => {
  it('finds the body between BEGIN and END in one stream, not the markers or what follows', () => {
    const s = at('a');
    expect(pemBodyLines(lines(s, 'start', BEGIN, BODY, 'AGVs', END, 'QUJDREVGR0g='))).toEqual([
      2, 3,
    ]);
  });

  it('keeps streams apart: another stream interleaved is neither masked nor closing', () => {
    const a = at('a');
    const b = at('b');
    const items = [
      ...lines(a, BEGIN),
      ...lines(b, 'QUJDREVGR0g='),
      ...lines(a, BODY),
      ...lines(b, 'GET / 200'),
      ...lines(a, END),
    ];
    expect(pemBodyLines(items)).toEqual([2]);
  });

  it('takes one container as one stream whatever the partition key of its records', () => {
    const container = { container: { id: 'c1' } };
    const items = [
      { line: BEGIN, source: at('pk-1', container) },
      { line: BODY, source: at('pk-2', container) },
      { line: END, source: at('pk-3', container) },
    ];
    expect(pemBodyLines(items)).toEqual([1]);
  });

  it('masks the end of a key whose BEGIN came earlier, and stops a cut-short block at prose', () => {
    const s = at('a');
    expect(pemBodyLines(lines(s, 'QUJD', BODY, END))).toEqual([0, 1]);
    expect(pemBodyLines(lines(s, BEGIN, BODY, 'request done', 'QUJDREVGR0g='))).toEqual([1]);
  });

  it('skips the headers of a legacy encrypted key without closing the block', () => {
    const s = at('a');
    const items = lines(
      s,
      BEGIN.replace('PRIVATE', 'RSA PRIVATE'),
      'Proc-Type: 4,ENCRYPTED',
      'DEK-Info: AES-128-CBC,AB12',
      BODY,
      END,
    );
    expect(pemBodyLines(items)).toEqual([3]);
  });

  it('finds nothing, at one includes() a line, in a batch without a marker', () => {
    expect(pemBodyLines(lines(at('a'), BODY, BODY, 'x'))).toEqual([]);
  });

  it('stays linear on a stream of base64 lines before one END', () => {
    const make = (n: number) => [
      ...lines(at('a'), ...Array.from({ length: n }, () => 'QUJD')),
      ...lines(at('a'), END),
    ];
    const g = growth(make, pemBodyLines, { n: 2048, scale: 16, attempts: 3 });
    expect(g.ratio).toBeLessThan(g.scale * 4);
  });
});
