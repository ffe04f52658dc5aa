// Environment settings, read once by entry points (never deep inside helpers), with clear errors.
import { join } from 'node:path';
import { ConfigError } from '#shared/errors.ts';
import { VALIDATED_CONFIG_FILE } from './validated.ts';

export interface RuntimeEnv {
  opensearchUrl: string;
  archiveBucket: string;
  region: string;
  /** Custom AWS endpoint (moto locally); undefined against AWS. */
  awsEndpoint?: string;
  configFile: string;
  /**
   * SLACK_WEBHOOK_URL: one webhook for every alert rule, for local runs and tests only (in AWS the URL
   * stays in SSM / Secrets Manager). Never logged.
   */
  slackWebhookUrl?: string;
  /** SLACK_WEBHOOK_PARAM: the SSM parameter of rules that name no webhook (serverless.yml sets it). */
  slackWebhookParam?: string;
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
    throw new ConfigError(
      `environment variable ${name} is not a URL: ${JSON.stringify(value)}`,
      undefined,
      name,
    );
  }
  return value.replace(/\/+$/, '');
}

/**
 * Where the configuration is when LOGFERRY_CONFIG does not say: in Lambda the logferry.json validated at
 * package time beside the bundle (`LAMBDA_TASK_ROOT`), elsewhere logferry.yml in the working directory.
 */
export function defaultConfigFile(env: NodeJS.ProcessEnv): string {
  return env.LAMBDA_TASK_ROOT
    ? join(env.LAMBDA_TASK_ROOT, VALIDATED_CONFIG_FILE)
    : join(process.cwd(), 'logferry.yml');
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
  const slackWebhookUrl = env.SLACK_WEBHOOK_URL?.trim() || undefined;
  // The value is a secret: say what is wrong with it without repeating it.
  if (slackWebhookUrl && !/^https?:\/\/[^\s/]+/.test(slackWebhookUrl)) {
    throw new ConfigError(
      'environment variable SLACK_WEBHOOK_URL is not an http(s) URL',
      undefined,
      'SLACK_WEBHOOK_URL',
    );
  }
  const slackWebhookParam = env.SLACK_WEBHOOK_PARAM?.trim() || undefined;
  if (slackWebhookParam && !slackWebhookParam.startsWith('/')) {
    throw new ConfigError(
      `environment variable SLACK_WEBHOOK_PARAM must be an SSM parameter name starting with /: ${JSON.stringify(slackWebhookParam)}`,
      undefined,
      'SLACK_WEBHOOK_PARAM',
    );
  }
  return {
    opensearchUrl: url(env, 'OPENSEARCH_URL'),
    archiveBucket: required(env, 'ARCHIVE_BUCKET'),
    region: env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || 'us-east-1',
    awsEndpoint,
    configFile: env.LOGFERRY_CONFIG?.trim() || defaultConfigFile(env),
    slackWebhookUrl,
    slackWebhookParam,
  };
}
