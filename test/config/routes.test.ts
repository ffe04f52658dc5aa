import { describe, expect, it } from 'vitest';
import { loadConfig } from '#shared/config/yaml.ts';
import { yamlError } from '#test/helpers/config.ts';
import { ROOT } from '#test/helpers/events.ts';

const configError = (text: string) => yamlError(text, 'routes.yml');

describe('routes, drop and redact in logferry.yml', () => {
  it('the shipped file routes, drops and redacts', () => {
    const config = loadConfig(`${ROOT}/logferry.yml`);
    expect(config.routes.length).toBeGreaterThan(0);
    expect(config.redact.enabled).toBe(true);
  });

  it.each([
    [
      'version: 1\ndrop: [{ name: x, regex: "(" }]\n',
      'drop[0].regex',
      /not a valid regular expression/,
    ],
    [
      'version: 1\ndrop: [{ name: x, field: url.original }]\n',
      'drop[0].field',
      /needs `equals` or `regex`/,
    ],
    [
      'version: 1\nroutes: [{ name: a, match: {}, drop: [{ name: x, dataset: nginx.acess }] }]\n',
      'routes[0].drop[0].dataset',
      /.+/,
    ],
    ['version: 1\nredact: { rules: [emails] }\n', 'redact.rules[0]', /.+/],
    [
      'version: 1\nroutes: [{ name: a, match: {}, redact: { patterns: [{ name: p, regex: "[" }] } }]\n',
      'routes[0].redact.patterns[0].regex',
      /regular expression/,
    ],
    [
      'version: 1\nroutes: [{ name: a, match: {}, multiline: maybe }]\n',
      'routes[0].multiline',
      /.+/,
    ],
  ])('%s names the path', (text, path, reason) => {
    const err = configError(text);
    expect(err.file).toBe('routes.yml');
    expect(err.message).toContain(`routes.yml: ${path}: `);
    expect(err.message).toMatch(reason);
  });
});
