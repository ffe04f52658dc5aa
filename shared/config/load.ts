// Loads and validates logferry.yml, turning every problem into a ConfigError naming file, path and reason.
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { ConfigError } from '#shared/errors.ts';
import type { Config } from './schema.ts';
import { parseConfig } from './validate.ts';

export { parseConfig } from './validate.ts';

/** Parses YAML text and validates it. */
export function parseConfigText(text: string, file = 'logferry.yml'): Config {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    throw new ConfigError(`${file}: ${err?.message ?? 'YAML syntax error'}`, file, '(yaml)');
  }
  return parseConfig(doc.toJS(), file);
}

/** Reads and validates a configuration file. */
export function loadConfig(file: string): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `${file}: cannot read configuration: ${(err as Error).message}`,
      file,
      undefined,
      {
        cause: err,
      },
    );
  }
  return parseConfigText(text, file);
}
