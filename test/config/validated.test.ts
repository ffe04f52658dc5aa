import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfigFile } from '#shared/config/env.ts';
import { loadConfig, parseConfigText } from '#shared/config/load.ts';
import { loadRuntimeConfig } from '#shared/config/runtime-config.ts';
import { loadRuntimeConfig as loadBundleConfig } from '#shared/config/runtime-config-bundle.ts';
import { readValidatedConfig, validatedConfigText } from '#shared/config/validated.ts';
import { ConfigError } from '#shared/errors.ts';
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

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

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
      // Assess: the Lambda bundles see the same object a run from source builds from the YAML.
      expect(readValidatedConfig(file)).toStrictEqual(JSON.parse(JSON.stringify(config)));
      expect(readValidatedConfig(file)).toEqual(config);
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
    expect(configError(() => readValidatedConfig(raw)).message).toMatch(
      /raw\.json: not a validated logferry configuration/,
    );
    const broken = write('broken.json', '{"format":');
    expect(configError(() => readValidatedConfig(broken)).file).toBe(broken);
    expect(configError(() => readValidatedConfig(join(dir, 'missing.json'))).message).toMatch(
      /cannot read validated configuration/,
    );
  });

  it('from source, reads YAML through the schema and JSON as validated', () => {
    const yml = write('run.yml', FULL);
    const json = write(
      'run.json',
      validatedConfigText(parseConfigText(FULL, 'run.yml'), { file: 'run.yml', text: FULL }),
    );
    expect(loadRuntimeConfig(json)).toEqual(loadRuntimeConfig(yml));
    expect(configError(() => loadRuntimeConfig(write('bad.yml', 'version: 2\n'))).path).toBe(
      'version',
    );
  });

  it('in a bundle, reads validated JSON only and says how to make it from YAML', () => {
    const json = write(
      'bundle.json',
      validatedConfigText(parseConfigText(FULL, 'x.yml'), { file: 'x.yml', text: FULL }),
    );
    // The bundle runs the schema again at cold start, over its own output: same configuration.
    expect(loadBundleConfig(json)).toEqual(parseConfigText(FULL, 'x.yml'));
    expect(configError(() => loadBundleConfig(write('b.yml', FULL))).message).toMatch(
      /reads only validated JSON.*config:check/,
    );
  });

  it('in a bundle, validates the JSON again at cold start: a hand-edited file fails with path and reason', () => {
    const envelope = JSON.parse(
      validatedConfigText(parseConfigText(FULL, 'x.yml'), { file: 'x.yml', text: FULL }),
    );
    envelope.config.opensearch.bulk_bytes = 20 * 1024 * 1024;
    const edited = write('edited.json', JSON.stringify(envelope));
    const err = configError(() => loadBundleConfig(edited));
    expect(err.path).toBe('opensearch.bulk_bytes');
    expect(err.message).toMatch(/edited\.json: opensearch\.bulk_bytes: /);
  });

  it('in Lambda defaults to logferry.json beside the bundle, elsewhere to logferry.yml', () => {
    expect(defaultConfigFile({ LAMBDA_TASK_ROOT: '/var/task' })).toBe('/var/task/logferry.json');
    expect(defaultConfigFile({})).toBe(join(process.cwd(), 'logferry.yml'));
  });
});
