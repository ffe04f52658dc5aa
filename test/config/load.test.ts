import { describe, expect, it } from 'vitest';
import { loadConfig } from '#shared/config/yaml.ts';
import { yamlError } from '#test/helpers/config.ts';
import { ROOT } from '#test/helpers/events.ts';

const configError = (text: string) => yamlError(text, 'my.yml');

describe('logferry.yml', () => {
  it('the shipped file is valid and fills defaults', () => {
    const config = loadConfig(`${ROOT}/logferry.yml`);
    expect(config.index.prefix).toBe('logs');
    expect(config.opensearch.bulk_bytes).toBe(5 * 1024 * 1024);
    expect(config.decode.max_decompressed_bytes).toBe(32 * 1024 * 1024);
  });

  it('names the file, the path and the reason', () => {
    const err = configError(
      'version: 1\nroutes:\n  - name: x\n    match: {}\n    parser: ngnix.access\n',
    );
    expect(err.file).toBe('my.yml');
    expect(err.path).toBe('routes[0].parser');
    expect(err.message).toMatch(/my\.yml: routes\[0\]\.parser: /);
  });

  it('rejects unknown keys, bulk sizes over 9 MiB and bad time zones', () => {
    expect(configError('version: 1\nindx: {}\n').message).toMatch(/unknown key\(s\): indx/);
    expect(configError('version: 1\nopensearch: { bulk_bytes: 20000000 }\n').path).toBe(
      'opensearch.bulk_bytes',
    );
    expect(
      configError('version: 1\nroutes: [{ name: a, match: {}, timezone: Mars/Base }]\n').message,
    ).toMatch(/IANA/);
  });

  it('reports YAML syntax errors', () => {
    expect(configError('version: 1\nroutes: [\n').message).toMatch(/^my\.yml: /);
  });
});
