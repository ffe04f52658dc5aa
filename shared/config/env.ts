// The environment, read once by entry points (functions and CLIs alike, never deep inside helpers), with clear errors.
import { join } from 'node:path';
import { ConfigError } from '#shared/errors.ts';
import { VALIDATED_CONFIG_FILE } from './file.ts';

export interface Env {
  region: string;
  /** AWS_ENDPOINT_URL: a custom AWS endpoint (moto locally); undefined against AWS. */
  awsEndpoint?: string;
  /** LOGFERRY_CONFIG, else logferry.json beside the bundle in Lambda, else logferry.yml here. */
  configFile: string;
  /** LOGFERRY_SERVICE and LOGFERRY_STAGE: how the pipeline's own log groups and metrics are named. */
  service: string;
  stage: string;
  /** OPENSEARCH_URL as given: a URL, or (for the CLIs that resolve one) a domain name. */
  opensearchEndpoint?: string;
  archiveBucket?: string;
  /**
   * SLACK_WEBHOOK_URL: one webhook for every alert rule, for local runs and tests only (in AWS the URL
   * stays in SSM / Secrets Manager). Never logged.
   */
  slackWebhookUrl?: string;
  /** SLACK_WEBHOOK_PARAM: the SSM parameter of rules that name no webhook (serverless.yml sets it). */
  slackWebhookParam?: string;
  /** Where the subscribe function points new subscription filters, and the role for a Kinesis one. */
  subscriptionDestinationArn?: string;
  subscriptionRoleArn?: string;
  /** S3_QUEUE_URL: the queue the S3 function reads, where it sends the objects it could not finish in time. */
  s3QueueUrl?: string;
}

/** What the ingest functions (and the CLIs that run the pipeline) need on top. */
export interface IngestEnv extends Env {
  opensearchUrl: string;
  archiveBucket: string;
}

function optional(env: NodeJS.ProcessEnv, name: string): string | undefined {
  return env[name]?.trim() || undefined;
}

function problem(name: string, message: string): ConfigError {
  return new ConfigError(`environment variable ${name} ${message}`, undefined, name);
}

function url(name: string, value: string): string {
  if (!URL.canParse(value)) throw problem(name, `is not a URL: ${JSON.stringify(value)}`);
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
 * Reads every setting logferry takes from the environment, checking the form of those that are set;
 * `ingestEnv` then insists on what the pipeline cannot run without.
 *
 * @example
 * const env = readEnv(process.env);
 */
export function readEnv(env: NodeJS.ProcessEnv): Env {
  const awsEndpoint = optional(env, 'AWS_ENDPOINT_URL');
  const stage = optional(env, 'LOGFERRY_STAGE') ?? 'dev';
  if (!/^[a-zA-Z0-9-]+$/.test(stage))
    throw problem('LOGFERRY_STAGE', `is not a stage name: ${JSON.stringify(stage)}`);
  const slackWebhookUrl = optional(env, 'SLACK_WEBHOOK_URL');
  // The value is a secret: say what is wrong with it without repeating it.
  if (slackWebhookUrl && !/^https?:\/\/[^\s/]+/.test(slackWebhookUrl))
    throw problem('SLACK_WEBHOOK_URL', 'is not an http(s) URL');
  const slackWebhookParam = optional(env, 'SLACK_WEBHOOK_PARAM');
  if (slackWebhookParam && !slackWebhookParam.startsWith('/'))
    throw problem(
      'SLACK_WEBHOOK_PARAM',
      `must be an SSM parameter name starting with /: ${JSON.stringify(slackWebhookParam)}`,
    );
  return {
    region: optional(env, 'AWS_REGION') ?? optional(env, 'AWS_DEFAULT_REGION') ?? 'us-east-1',
    awsEndpoint: awsEndpoint && url('AWS_ENDPOINT_URL', awsEndpoint),
    configFile: optional(env, 'LOGFERRY_CONFIG') ?? defaultConfigFile(env),
    service: optional(env, 'LOGFERRY_SERVICE') ?? 'logferry',
    stage,
    opensearchEndpoint: optional(env, 'OPENSEARCH_URL')?.replace(/\/+$/, ''),
    archiveBucket: optional(env, 'ARCHIVE_BUCKET'),
    slackWebhookUrl,
    slackWebhookParam,
    subscriptionDestinationArn: optional(env, 'SUBSCRIPTION_DESTINATION_ARN'),
    subscriptionRoleArn: optional(env, 'SUBSCRIPTION_ROLE_ARN'),
    s3QueueUrl: optional(env, 'S3_QUEUE_URL'),
  };
}

/**
 * The environment with what indexing and archiving need: OPENSEARCH_URL as a URL (a domain name is
 * resolved by the CLIs first, never at cold start) and ARCHIVE_BUCKET.
 *
 * @example
 * const env = ingestEnv(readEnv(process.env));
 */
export function ingestEnv(env: Env): IngestEnv {
  if (!env.opensearchEndpoint) throw problem('OPENSEARCH_URL', 'is not set');
  if (!env.archiveBucket) throw problem('ARCHIVE_BUCKET', 'is not set');
  return {
    ...env,
    opensearchUrl: url('OPENSEARCH_URL', env.opensearchEndpoint),
    archiveBucket: env.archiveBucket,
  };
}
