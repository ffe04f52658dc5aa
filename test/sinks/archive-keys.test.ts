import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogDocument, Routed } from '#shared/model.ts';
import { groupSlug, hourPartition, planArchive } from '#shared/sinks/archive-keys.ts';
import { indexName } from '#shared/transform/classify.ts';

function routed(id: string, type: string, time: string, group: string): Routed {
  const doc = {
    '@timestamp': time,
    message: id,
    event: { id, dataset: 'text' },
    log: { type },
  } as LogDocument;
  return { doc, index: 'logs', raw: id, recordId: 'r', group };
}

/** The grouping written plainly: one key per document. */
function naive(items: readonly Routed[]): [string, string[]][] {
  const groups = new Map<string, string[]>();
  for (const i of items) {
    const prefix = `archive/log_type=${i.doc.log.type}/${hourPartition(i.doc['@timestamp'])}/${groupSlug(i.group)}`;
    groups.set(prefix, [...(groups.get(prefix) ?? []), i.doc.event.id]);
  }
  return [...groups];
}

describe('planArchive', () => {
  it('groups interleaved runs of types, hours and groups as a key per document would', () => {
    const item = fc.record({
      type: fc.constantFrom('access', 'application', 'error'),
      time: fc.constantFrom(
        '2025-11-20T10:00:00.000Z',
        '2025-11-20T10:59:59.999Z',
        '2025-11-20T11:00:00.000Z',
        '2025-11-21T10:00:00.000Z',
      ),
      group: fc.constantFrom('/ecs/web', '/ECS/web', '/ecs/api'),
    });
    fc.assert(
      fc.property(fc.array(item, { maxLength: 40 }), (specs) => {
        const items = specs.map((s, i) => routed(`e${i}`, s.type, s.time, s.group));
        const planned = planArchive(items);
        const expected = naive(items);
        expect(planned.map((o) => o.items.map((i) => i.doc.event.id))).toEqual(
          expected.map(([, ids]) => ids),
        );
        expect(planned.map((o) => o.key.slice(0, o.key.lastIndexOf('/')))).toEqual(
          expected.map(([prefix]) => prefix),
        );
      }),
    );
  });
});

describe('indexName', () => {
  it('names the index of each prefix, type and day, whatever came before it', () => {
    const calls: [string, 'access' | 'error', string, string][] = [
      ['logs', 'access', '2025-01-05T23:59:59.999Z', 'logs-access-2025.01.05'],
      ['logs', 'access', '2025-01-05T00:00:00.000Z', 'logs-access-2025.01.05'],
      ['logs', 'error', '2025-01-05T00:00:00.000Z', 'logs-error-2025.01.05'],
      ['audit', 'error', '2025-01-05T00:00:00.000Z', 'audit-error-2025.01.05'],
      ['audit', 'error', '2025-01-06T00:00:00.000Z', 'audit-error-2025.01.06'],
      ['audit', 'error', '2025-01', 'audit-error-2025.01.'],
      ['audit', 'error', '2025-01-06T00:00:00.000Z', 'audit-error-2025.01.06'],
    ];
    for (const [prefix, type, time, name] of calls)
      expect(indexName(prefix, type, time)).toBe(name);
  });
});
