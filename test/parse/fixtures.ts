// Runs the text fixtures of test/fixtures/parse through the pure pipeline, as `npm run parse` would, with a fixed clock.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '#shared/config/file.ts';
import type { Config } from '#shared/config/schema.ts';
import type { InputEvent, LogDocument } from '#shared/model.ts';
import { transformEvents } from '#shared/transform/transform-events.ts';
import { ROOT } from '#test/helpers/events.ts';

export const FIXTURES = join(ROOT, 'test', 'fixtures', 'parse');
/** Every fixture event arrives at this CloudWatch time (plus its line index in ms). */
export const FIXTURE_T0 = Date.UTC(2025, 10, 20, 10, 0, 30);

export function fixtureNames(): string[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.txt'))
    .map((f) => f.slice(0, -4))
    .sort();
}

/** One event per line, as `npm run parse -- FILE --group /fixtures/NAME` makes them. */
export function fixtureEvents(name: string): InputEvent[] {
  const text = readFileSync(join(FIXTURES, `${name}.txt`), 'utf8');
  const source = { logGroup: `/fixtures/${name}`, logStream: 'file' };
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((message, i) => ({
      id: `line-${i + 1}`,
      timestamp: FIXTURE_T0 + i,
      message,
      source,
      recordId: 'file',
    }));
}

export function fixtureDocuments(
  name: string,
  config: Config = parseConfig({ version: 1 }),
): LogDocument[] {
  return transformEvents(fixtureEvents(name), config).routed.map((r) => r.doc);
}

export function expectedPath(name: string): string {
  return join(FIXTURES, `${name}.expected.ndjson`);
}
