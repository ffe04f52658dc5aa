// Environment settings, read once by entry points (never deep inside helpers), with clear errors.
import { join } from 'node:path';
import { ConfigError } from '#shared/errors.ts';

export interface RuntimeEnv {
  opensearchUrl: string;
  archiveBucket: string;
  region: string;
  /** Custom AWS endpoint (moto locally); undefined against AWS. */
  awsEndpoint?: string;
  configFile: string;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(`environment variable ${name} is not set`, undefined, name);
  return value;
}

function url(env: NodeJS.ProcessEnv, name: string): string {
  const value = required(env, name);
  try {
    new URL(value);
  } catch {
    throw new ConfigError(`environment variable ${name} is not a URL: ${JSON.stringify(value)}`, undefined, name);
  }
  return value.replace(/\/+$/, '');
}

/**
 * Reads the settings a handler needs. `LOGFERRY_CONFIG` overrides where logferry.yml is found; by
 * default it sits beside the bundle (`LAMBDA_TASK_ROOT`) or in the working directory.
 *
 * @example
 * const env = readRuntimeEnv(process.env);
 */
export function readRuntimeEnv(env: NodeJS.ProcessEnv): RuntimeEnv {
  const awsEndpoint = env.AWS_ENDPOINT_URL?.trim() ? url(env, 'AWS_ENDPOINT_URL') : undefined;
  return {
    opensearchUrl: url(env, 'OPENSEARCH_URL'),
    archiveBucket: required(env, 'ARCHIVE_BUCKET'),
    region: env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || 'us-east-1',
    awsEndpoint,
    configFile: env.LOGFERRY_CONFIG?.trim() || join(env.LAMBDA_TASK_ROOT ?? process.cwd(), 'logferry.yml'),
  };
}
