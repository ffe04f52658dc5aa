// The configuration a handler starts with, from source (tsx, tests): validated JSON, or logferry.yml checked here.
// The Lambda bundles resolve this module to runtime-config-bundle.ts instead (package.json `imports`,
// esbuild condition `logferry-bundle`), which leaves the YAML parser and zod out of them.

import { loadConfig } from './load.ts';
import type { Config } from './schema.ts';
import { isValidatedConfigFile, readValidatedConfig } from './validated.ts';

/**
 * A `.json` file written by `npm run config:check -- --out` is read as validated; anything else is YAML
 * (or raw JSON) and goes through the schema.
 *
 * @example
 * const config = loadRuntimeConfig(process.env.LOGFERRY_CONFIG ?? 'logferry.yml');
 */
export function loadRuntimeConfig(file: string): Config {
  return isValidatedConfigFile(file) ? readValidatedConfig(file) : loadConfig(file);
}
