import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '#shared/config/file.ts';
import type { InputEvent } from '#shared/model.ts';
import { parseLine } from '#shared/parse/index.ts';
import { stripEol } from '#shared/transform/document.ts';
import { transformEvents } from '#shared/transform/transform-events.ts';
import { fixtureEvents, fixtureNames } from '#test/parse/fixtures.ts';

// Real lines of every family, to corrupt: random text almost never reaches deep into a parser.
const SEEDS = fixtureNames().flatMap((name) => fixtureEvents(name).map((e) => e.message));
const DATASETS = [
  'nginx.access',
  'apache.error',
  'haproxy.http',
  'syslog',
  'app.json',
  'aws.lambda',
  'app.logback',
] as const;
// Redaction rewrites what it masks; without it the raw line must come back byte for byte.
const config = parseConfig({ version: 1, redact: false });

/** A fixture line cut, spliced, or with characters that matter to parsers inserted or deleted. */
const corrupted = fc
  .tuple(
    fc.constantFrom(...SEEDS),
    fc.nat(),
    fc.nat(),
    fc.oneof(
      fc.constantFrom(
        '"',
        '\\',
        '[',
        ']',
        '{',
        '}',
        '\n',
        '\t',
        ':',
        ' ',
        '-',
        '#22',
        '\\x',
        '\u0000',
        '\uFEFF',
        '\uD800',
        '\u00e9',
      ),
      fc.string(),
    ),
    fc.constantFrom('cut', 'insert', 'delete', 'replace'),
  )
  .map(([seed, a, b, text, op]) => {
    const i = a % (seed.length + 1);
    const j = Math.min(seed.length, i + (b % 8));
    if (op === 'cut') return seed.slice(0, i);
    if (op === 'insert') return seed.slice(0, i) + text + seed.slice(i);
    if (op === 'delete') return seed.slice(0, i) + seed.slice(j);
    return seed.slice(0, i) + text + seed.slice(j);
  });

const anyLine = fc.oneof(
  corrupted,
  fc.string({ unit: 'binary' }),
  fc.json(),
  fc.constantFrom(...SEEDS),
);

function event(message: string, i: number): InputEvent {
  return {
    id: `f${i}`,
    timestamp: Date.UTC(2025, 10, 20, 10),
    message,
    source: { logGroup: '/fuzz', logStream: 's' },
    recordId: 'r',
  };
}

describe('fuzz: random and corrupt input', { timeout: 60_000 }, () => {
  it('parseLine never throws and keeps the line, auto-detected or pinned', () => {
    fc.assert(
      fc.property(
        anyLine,
        fc.option(fc.constantFrom(...DATASETS), { nil: undefined }),
        (line, pinned) => {
          const p = parseLine(line, { eventTime: Date.UTC(2025, 10, 20), source: {} }, pinned);
          expect(typeof p.dataset).toBe('string');
          if (p.time !== undefined) expect(Number.isFinite(p.time)).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('every event yields a document (or joins a stack trace) whose raw line survives, never a throw', () => {
    fc.assert(
      fc.property(fc.array(anyLine, { minLength: 1, maxLength: 12 }), (lines) => {
        const events = lines.map(event);
        const { routed, stats } = transformEvents(events, config);
        expect(routed.length + stats.merged).toBe(events.length);
        const raws = routed.map((r) => r.doc.event.original ?? r.doc.message);
        for (const r of routed) {
          expect(r.doc['@timestamp']).toMatch(/^\d{4}-\d{2}-\d{2}T/);
          // Serialisable as the sinks will write it.
          expect(() => JSON.stringify(r.doc)).not.toThrow();
        }
        // Every input line is in the raw text of some document, whole.
        for (const e of events)
          expect(raws.some((raw) => raw.includes(stripEol(e.message)))).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it('keys from the input never reach Object.prototype', () => {
    const lines = [
      '{"__proto__":{"polluted":1},"msg":"x"}',
      '{"log":"y","stream":"stdout","__proto__":{"polluted":1}}',
      '{"ci":"1.2.3.4","cp":1,"ft":"f","__proto__":{"polluted":1}}',
    ];
    transformEvents(lines.map(event), config);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
