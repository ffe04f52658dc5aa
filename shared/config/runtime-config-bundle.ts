// The configuration a Lambda bundle starts with: only the JSON that serverless package validated and wrote.
// Chosen over runtime-config.ts by the esbuild condition `logferry-bundle` (serverless.yml), so the
// bundles carry no YAML parser; the schema runs at build time and again here, at cold start (DESIGN.md §1).
import { ConfigError } from '#shared/errors.ts';
import type { Config } from './schema.ts';
import { parseConfig } from './validate.ts';
import { isValidatedConfigFile, readValidatedConfig } from './validated.ts';

/**
 * Reads `$LAMBDA_TASK_ROOT/logferry.json` (or LOGFERRY_CONFIG); a YAML file is refused with the way to
 * turn it into validated JSON.
 *
 * @example
 * const config = loadRuntimeConfig('/var/task/logferry.json');
 */
export function loadRuntimeConfig(file: string): Config {
  if (!isValidatedConfigFile(file)) {
    throw new ConfigError(
      `${file}: the Lambda bundle reads only validated JSON (serverless package writes logferry.json ` +
        `beside it); make one with \`npm run config:check -- ${file} --out logferry.json\``,
      file,
      '(root)',
    );
  }
  // Checked again: a hand-edited logferry.json, or one from another version of the schema, fails loudly here.
  return parseConfig(readValidatedConfig(file), file);
}
