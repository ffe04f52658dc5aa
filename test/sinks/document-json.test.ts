import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogDocument } from '#shared/model.ts';
import { documentJson, indexJson } from '#shared/sinks/document-json.ts';

function doc(original?: unknown, extra: Partial<LogDocument> = {}): LogDocument {
  const d: LogDocument = {
    '@timestamp': '2025-11-20T10:00:00.000Z',
    message: 'order created "quoted" ,"original":"x"',
    event: { id: 'e1', dataset: 'app.json' },
    log: { type: 'application', level: 'info' },
    ...extra,
  };
  if (original !== undefined) d.event.original = original as string;
  return d;
}

const withoutOriginal = (d: LogDocument) => {
  const { original: _o, ...event } = d.event;
  return JSON.stringify({ ...d, event });
};

describe('documentJson', () => {
  it('is JSON.stringify, remembered on the document and inherited by no copy', () => {
    const d = doc('{"msg":"order created"}');
    const text = documentJson(d);
    expect(text).toBe(JSON.stringify(d));
    // A changed copy is serialised afresh: the remembered text stays with the object it was made for.
    const copy = { ...d, message: 'changed' };
    expect(documentJson(copy)).toBe(JSON.stringify(copy));
    expect(Object.keys(d)).toEqual(Object.keys(doc('{"msg":"order created"}')));
    expect(JSON.parse(JSON.stringify(d))).toEqual(JSON.parse(text));
  });
});

describe('indexJson', () => {
  it('leaves event.original out and everything else as it was', () => {
    const d = doc('{"level":30,"msg":"order created","original":"inner"}', {
      app: { original: 'app field of the same name', nested: { original: 'x' } },
    });
    d.event.duration = 1200;
    const text = indexJson(d);
    expect(text).toBe(withoutOriginal(d));
    expect(JSON.parse(text).app).toEqual(d.app);
    // The document itself keeps the raw line, for the archive row and the alerts.
    expect(d.event.original).toContain('"level":30');
    expect(documentJson(d)).toContain('"original":"{\\"level\\":30');
  });

  it('is the document text when there is no original', () => {
    const d = doc();
    expect(indexJson(d)).toBe(documentJson(d));
  });

  it('serialises a copy when the text is not laid out as expected (original first in event)', () => {
    const d: LogDocument = {
      '@timestamp': '2025-11-20T10:00:00.000Z',
      message: 'm',
      event: { original: 'raw line', id: 'e1', dataset: 'text' } as LogDocument['event'],
      log: { type: 'application' },
    };
    expect(indexJson(d)).toBe(withoutOriginal(d));
  });

  it('equals the copy without original for any raw line and message', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (raw, message, other) => {
        const d = doc(raw, { message, app: { original: other } });
        expect(indexJson(d)).toBe(withoutOriginal(d));
      }),
    );
  });

  it('finds the end of a raw line made of quotes and backslashes (JSON in JSON, escaped again)', () => {
    const tricky = fc.string({ unit: fc.constantFrom('\\', '"', '\\"', 'a', '\n', '}', ',') });
    fc.assert(
      fc.property(tricky, tricky, (raw, message) => {
        const d = doc(raw, { message });
        d.event.original_size = raw.length;
        expect(indexJson(d)).toBe(withoutOriginal(d));
      }),
    );
    const firelens = JSON.stringify({
      log: '1.2.3.4 "GET / HTTP/1.1" "\\" \\\\"',
      source: 'stdout',
    });
    expect(indexJson(doc(firelens))).toBe(withoutOriginal(doc(firelens)));
  });

  it('serialises a copy when event has other keys before original, or an id that is no string', () => {
    const d = doc();
    d.event.reason = 'x';
    d.event.original = 'raw';
    expect(indexJson(d)).toBe(withoutOriginal(d));
    const n = doc('raw');
    (n.event as Record<string, unknown>).id = 42;
    expect(indexJson(n)).toBe(withoutOriginal(n));
  });
});
