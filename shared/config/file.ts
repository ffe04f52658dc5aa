// The validated configuration file (logferry.json): the schema run over an object, written once, read at every cold start.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { ConfigError } from '#shared/errors.ts';
import { type Config, configSchema } from './schema.ts';

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

/** Renders a zod issue path like `routes[2].match.log_group`. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown key(s): ${issue.keys.join(', ')}`;
  return issue.message;
}

/**
 * Validates an already-parsed configuration object; every problem becomes one line of a ConfigError
 * naming the file, the path and the reason.
 *
 * @example
 * const config = parseConfig({ version: 1 }, 'logferry.yml');
 */
export function parseConfig(value: unknown, file = 'logferry.yml'): Config {
  const result = configSchema.safeParse(value ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${file}: ${formatPath(issue.path)}: ${describeIssue(issue)}`,
  );
  const first = result.error.issues[0];
  throw new ConfigError(
    `invalid configuration\n  ${problems.join('\n  ')}`,
    file,
    first ? formatPath(first.path) : undefined,
  );
}

/** A `.json` configuration is a validated one; anything else is YAML for the schema to check. */
export function isValidatedConfigFile(file: string): boolean {
  return file.endsWith('.json');
}

/**
 * The JSON text of a configuration that has just passed the schema, with where it came from.
 *
 * @example
 * writeFileSync('logferry.json', validatedConfigText(parseConfigText(text), { file: 'logferry.yml', text }));
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
 * Reads a file written by `validatedConfigText` and runs the schema over it again, so a hand-edited
 * logferry.json, or one written by another version of the schema, fails here with path and reason.
 * This is what every function reads at cold start; it never reads YAML (`config/yaml.ts` is for
 * runs from source), so the bundles carry zod but not the YAML parser.
 *
 * @example
 * const config = loadValidatedConfig('/var/task/logferry.json');
 */
export function loadValidatedConfig(file: string): Config {
  if (!isValidatedConfigFile(file)) {
    throw new ConfigError(
      `${file}: the functions read only validated JSON (serverless package writes logferry.json ` +
        `beside each bundle); make one with \`npm run config:check -- ${file} --out logferry.json\``,
      file,
      '(root)',
    );
  }
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
    envelope.config === null
  ) {
    throw new ConfigError(
      `${file}: not a validated logferry configuration (format ${VALIDATED_CONFIG_FORMAT}); ` +
        'write one with `npm run config:check -- logferry.yml --out logferry.json`',
      file,
      '(root)',
    );
  }
  return parseConfig(envelope.config, file);
}
