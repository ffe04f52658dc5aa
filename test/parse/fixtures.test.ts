import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '#shared/config/yaml.ts';
import { expectedPath, FIXTURES, fixtureDocuments, fixtureNames } from '#test/parse/fixtures.ts';

// Each test/fixtures/parse/NAME.txt (one event per line) has the documents it must yield in
// NAME.expected.ndjson; a NAME.config.yml beside them is the configuration (declared formats). After a deliberate change, regenerate with UPDATE_FIXTURES=1 and review the diff.
describe('parse fixtures', () => {
  it.each(fixtureNames())('%s yields its expected documents', (name) => {
    // Prepare
    const configFile = join(FIXTURES, `${name}.config.yml`);
    const config = existsSync(configFile)
      ? parseConfigText(readFileSync(configFile, 'utf8'), configFile)
      : undefined;
    // Act
    const docs = fixtureDocuments(name, config);
    // Assess
    const path = expectedPath(name);
    const actual = `${docs.map((d) => JSON.stringify(d)).join('\n')}\n`;
    if (process.env.UPDATE_FIXTURES === '1' || !existsSync(path)) writeFileSync(path, actual);
    const expected = readFileSync(path, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(docs).toEqual(expected);
  });

  it('every document keeps the raw line and has a dataset, a type and an ISO time', () => {
    for (const name of fixtureNames()) {
      for (const doc of fixtureDocuments(name)) {
        expect(doc['@timestamp']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        expect(doc.event.original ?? doc.message).toBeTruthy();
        expect(['access', 'error', 'application']).toContain(doc.log.type);
      }
    }
  });
});
