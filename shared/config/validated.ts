// logferry.yml validated at build time and written as JSON, the form the Lambda bundles read at cold start.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '#shared/errors.ts';
import type { Config } from './schema.ts';

/** Marks a file as written by `validatedConfigText`, so no hand-written JSON is taken for a validated one. */
export const VALIDATED_CONFIG_FORMAT = 'logferry-validated-config';

/** The file name beside the bundle (`$LAMBDA_TASK_ROOT/logferry.json`); serverless package writes it. */
export const VALIDATED_CONFIG_FILE = 'logferry.json';

export interface ValidatedConfigFile {
  format: typeof VALIDATED_CONFIG_FORMAT;
  /** The YAML file it was made from and the SHA-256 of its text, to tell which logferry.yml was deployed. */
  source: { file: string; sha256: string };
  /** The schema's output: defaults filled in, durations in milliseconds. */
  config: Config;
}

/** A `.json` configuration is a validated one; anything else is YAML for the schema to check. */
export function isValidatedConfigFile(file: string): boolean {
  return file.endsWith('.json');
}

/**
 * The JSON text of a configuration that has just passed the schema (`parseConfigText`), with where it
 * came from.
 *
 * @example
 * writeFileSync('logferry.json', validatedConfigText(loadConfig('logferry.yml'), { file: 'logferry.yml', text }));
 */
export function validatedConfigText(
  config: Config,
  source: { file: string; text: string },
): string {
  const out: ValidatedConfigFile = {
    format: VALIDATED_CONFIG_FORMAT,
    source: { file: source.file, sha256: createHash('sha256').update(source.text).digest('hex') },
    config,
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

/**
 * Reads a file written by `validatedConfigText`. The schema already ran when it was written, so only the
 * envelope is checked here: a cold start then needs neither the YAML parser nor zod. A file that is not
 * such an envelope fails with a ConfigError naming it.
 *
 * @example
 * const config = readValidatedConfig('/var/task/logferry.json');
 */
export function readValidatedConfig(file: string): Config {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(
      `${file}: cannot read validated configuration: ${(err as Error).message}`,
      file,
      undefined,
      { cause: err },
    );
  }
  const envelope = value as Partial<ValidatedConfigFile> | null;
  if (
    envelope?.format !== VALIDATED_CONFIG_FORMAT ||
    typeof envelope.config !== 'object' ||
    envelope.config === null ||
    envelope.config.version !== 1
  ) {
    throw new ConfigError(
      `${file}: not a validated logferry configuration (format ${VALIDATED_CONFIG_FORMAT}, version 1); ` +
        'write one with `npm run config:check -- logferry.yml --out logferry.json`',
      file,
      '(root)',
    );
  }
  return envelope.config;
}
