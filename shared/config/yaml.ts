// Reads logferry.yml from source (CLIs, tests, replay): YAML through the schema, or a validated logferry.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError } from '#shared/errors.ts';
import {
  isValidatedConfigFile,
  loadValidatedConfig,
  parseConfig,
  validatedConfigText,
} from './file.ts';
import type { Config } from './schema.ts';

/**
 * Parses YAML text and validates it.
 *
 * @example
 * const config = parseConfigText('version: 1\n', 'logferry.yml');
 */
export function parseConfigText(text: string, file = 'logferry.yml'): Config {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    throw new ConfigError(`${file}: ${err?.message ?? 'YAML syntax error'}`, file, '(yaml)');
  }
  return parseConfig(doc.toJS(), file);
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
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
}

/**
 * Reads and validates a configuration file: a validated `.json` as the functions read it, anything
 * else as YAML.
 *
 * @example
 * const config = loadConfig('logferry.yml');
 */
export function loadConfig(file: string): Config {
  return isValidatedConfigFile(file)
    ? loadValidatedConfig(file)
    : parseConfigText(readText(file), file);
}

/**
 * Validates a YAML file and writes it as the validated JSON the functions read (what `serverless
 * package` does before bundling): runs from source hand that file to the real handlers.
 *
 * @example
 * process.env.LOGFERRY_CONFIG = writeValidatedConfig('logferry.yml', '.local/logferry.json').file;
 */
export function writeValidatedConfig(
  yamlFile: string,
  outFile: string,
): { file: string; config: Config } {
  if (isValidatedConfigFile(yamlFile))
    return { file: yamlFile, config: loadValidatedConfig(yamlFile) };
  const text = readText(yamlFile);
  const config = parseConfigText(text, yamlFile);
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, validatedConfigText(config, { file: yamlFile, text }));
  return { file: outFile, config };
}
