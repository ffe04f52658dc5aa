// Loads and validates logferry.yml, turning every problem into a ConfigError naming file, path and reason.
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '#shared/errors.ts';
import { type Config, configSchema } from './schema.ts';

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
 * Validates an already-parsed configuration object.
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
    throw new ConfigError(`${file}: cannot read configuration: ${(err as Error).message}`, file, undefined, {
      cause: err,
    });
  }
  return parseConfigText(text, file);
}
