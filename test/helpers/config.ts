// What the configuration tests share: the ConfigError a call throws, and the one a YAML text gets.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfigText } from '#shared/config/yaml.ts';
import { ConfigError } from '#shared/errors.ts';
import { ROOT } from './events.ts';

/** The ConfigError `fn` throws; fails the test when it throws nothing or something else. */
export function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

/** The ConfigError validating `text` as `file` gives. */
export function yamlError(text: string, file = 'logferry.yml'): ConfigError {
  return configErrorOf(() => parseConfigText(text, file));
}

/**
 * A path for a test's own configuration file under `.local/test-config/`, the folder made if a fresh
 * clone has none yet.
 */
export function testConfigPath(name: string): string {
  const dir = join(ROOT, '.local', 'test-config');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}
