// Runs the logferry.yml schema over a parsed object; every problem becomes a ConfigError naming file, path and reason.
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
