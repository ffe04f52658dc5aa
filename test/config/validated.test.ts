import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadValidatedConfig, validatedConfigText } from '#shared/config/file.ts';
import { loadConfig, parseConfigText, writeValidatedConfig } from '#shared/config/yaml.ts';
import { configErrorOf } from '#test/helpers/config.ts';
import { ROOT } from '#test/helpers/events.ts';

const dir = mkdtempSync(join(tmpdir(), 'logferry-validated-'));

/** Every section set, durations and shorthands included, so the round trip covers what the schema turns into. */
const FULL = `version: 1
index: { prefix: app, retention_days: 7 }
opensearch: { bulk_bytes: 1048576, serverless_collection_type: search }
routes:
  - name: web
    match: { log_group: '/ecs/web/**' }
    parser: nginx.access
    timezone: Europe/Paris
    redact: false
    drop:
      - { name: health, field: url.original, regex: '^/health$' }
drop:
  - { name: debug, dataset: [app.json], field: log.level, equals: [debug, trace] }
redact:
  patterns: [{ name: ssn, regex: '\\b\\d{3}-\\d{2}-\\d{4}\\b' }]
alerts:
  window: 5m
  time_budget: 2s
  rules:
    - name: errors
      webhook: ssm:/x/slack
subscriptions: { include: ['/ecs/**'], destination: kinesis }
`;

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const configError = configErrorOf;

describe('validated configuration (logferry.json)', () => {
  it('reads back exactly what the schema returned, for the shipped file and a full one', () => {
    // Prepare
    const shipped = readFileSync(`${ROOT}/logferry.yml`, 'utf8');
    for (const [name, text] of [
      ['logferry.yml', shipped],
      ['full.yml', FULL],
    ] as const) {
      const config = parseConfigText(text, name);
      // Act
      const file = write(`${name}.json`, validatedConfigText(config, { file: name, text }));
      // Assess: a cold start sees the same object a run from source builds from the YAML, and the
      // schema accepts its own output when it checks the file again.
      expect(loadValidatedConfig(file)).toStrictEqual(JSON.parse(JSON.stringify(config)));
      expect(loadValidatedConfig(file)).toEqual(config);
    }
  });

  it('records the source file and its SHA-256', () => {
    const text = readFileSync(`${ROOT}/logferry.yml`, 'utf8');
    const out = JSON.parse(
      validatedConfigText(loadConfig(`${ROOT}/logferry.yml`), { file: 'logferry.yml', text }),
    );
    expect(out.format).toBe('logferry-validated-config');
    expect(out.source.file).toBe('logferry.yml');
    expect(out.source.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses JSON that no validation wrote, and unreadable files, naming the file', () => {
    const raw = write('raw.json', JSON.stringify({ version: 1 }));
    expect(configError(() => loadValidatedConfig(raw)).message).toMatch(
      /raw\.json: not a validated logferry configuration/,
    );
    const broken = write('broken.json', '{"format":');
    expect(configError(() => loadValidatedConfig(broken)).file).toBe(broken);
    expect(configError(() => loadValidatedConfig(join(dir, 'missing.json'))).message).toMatch(
      /cannot read validated configuration/,
    );
  });

  it('at cold start, reads validated JSON only and says how to make it from YAML', () => {
    expect(configError(() => loadValidatedConfig(write('b.yml', FULL))).message).toMatch(
      /read only validated JSON.*config:check/,
    );
  });

  it('at cold start, validates the JSON again: a hand-edited file fails with path and reason', () => {
    const envelope = JSON.parse(
      validatedConfigText(parseConfigText(FULL, 'x.yml'), { file: 'x.yml', text: FULL }),
    );
    envelope.config.opensearch.bulk_bytes = 20 * 1024 * 1024;
    const edited = write('edited.json', JSON.stringify(envelope));
    const err = configError(() => loadValidatedConfig(edited));
    expect(err.path).toBe('opensearch.bulk_bytes');
    expect(err.message).toMatch(/edited\.json: opensearch\.bulk_bytes: /);
  });

  it('from source, reads YAML through the schema and JSON as validated, and writes the JSON a handler reads', () => {
    const yml = write('run.yml', FULL);
    const { file, config } = writeValidatedConfig(yml, join(dir, 'out', 'run.json'));
    expect(loadConfig(file)).toEqual(loadConfig(yml));
    expect(loadValidatedConfig(file)).toEqual(config);
    // A file that is validated JSON already is used as it is.
    expect(writeValidatedConfig(file, join(dir, 'unused.json')).file).toBe(file);
    expect(configError(() => loadConfig(write('bad.yml', 'version: 2\n'))).path).toBe('version');
  });
});
