import { describe, expect, it } from 'vitest';
import type { LogDocument } from '#shared/model.ts';
import {
  degradeDocument,
  isMappingError,
  offendingField,
} from '#shared/sinks/opensearch/degrade.ts';

const doc = (): LogDocument => ({
  '@timestamp': '2025-11-20T10:00:00.000Z',
  message: 'payment failed',
  event: { id: 'e1', dataset: 'app.json', duration: 'slow' },
  log: { type: 'error', level: 'error' },
  http: { response: { status_code: 'n/a', body: { bytes: 12 } } },
  user: 'bob',
  app: { orderId: 'o1' },
});

describe('mapping degrade', () => {
  it('finds the field OpenSearch names in its mapping errors', () => {
    expect(
      offendingField({
        reason:
          "failed to parse field [http.response.status_code] of type [long] in document with id 'x'",
      }),
    ).toBe('http.response.status_code');
    expect(
      offendingField({
        reason:
          'object mapping for [user] tried to parse field [user] as object, but found a concrete value',
      }),
    ).toBe('user');
    expect(
      offendingField({
        reason: 'mapper [event.duration] cannot be changed from type [long] to [text]',
      }),
    ).toBe('event.duration');
    expect(
      offendingField({ reason: 'Limit of total fields [2000] has been exceeded' }),
    ).toBeUndefined();
    expect(isMappingError({ type: 'mapper_parsing_exception' })).toBe(true);
    expect(isMappingError({ type: 'version_conflict_engine_exception' })).toBe(false);
  });

  it('moves the offending field into app under its dotted path, keeps the raw line and tags the copy', () => {
    const original = doc();
    const out = degradeDocument(
      original,
      { reason: 'failed to parse field [http.response.status_code] of type [long]' },
      '{"raw":1}',
    );
    expect(out.http).toEqual({ response: { body: { bytes: 12 } } });
    expect(out.app).toEqual({ orderId: 'o1', 'http.response.status_code': 'n/a' });
    expect(out.event.original).toBe('{"raw":1}');
    expect(out.tags).toEqual(['_mapping_degraded']);
    expect(original.http).toEqual(doc().http); // the original is untouched, for the dead-letter entry
  });

  it('moves every non-identity field when no field is named (or the first copy failed too)', () => {
    const out = degradeDocument(
      doc(),
      { reason: 'Limit of total fields [2000] has been exceeded' },
      'raw',
    );
    expect(Object.keys(out).sort()).toEqual([
      '@timestamp',
      'app',
      'event',
      'log',
      'message',
      'tags',
    ]);
    expect(out.event).toEqual({ id: 'e1', dataset: 'app.json', original: 'raw' });
    expect(out.log).toEqual({ type: 'error', level: 'error' });
    expect(out.app).toMatchObject({
      'event.duration': 'slow',
      'http.response.status_code': 'n/a',
      user: 'bob',
      orderId: 'o1',
    });
  });

  it('never moves identity fields even when the error names one', () => {
    const out = degradeDocument(doc(), { reason: 'failed to parse field [event.id]' }, 'raw');
    expect(out.event.id).toBe('e1');
    expect(out.app).toHaveProperty(['user'], 'bob');
  });
});
