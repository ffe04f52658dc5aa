// Environment settings of the operations entry points (subscribe function and CLIs), read once, with clear errors.
import { ConfigError } from '#shared/errors.ts';
import { defaultConfigFile } from './env.ts';

export interface OpsEnv {
  region: string;
  /** Custom AWS endpoint (moto locally); undefined against AWS. */
  awsEndpoint?: string;
  configFile: string;
  /** Service and stage name the pipeline's own log groups are recognised by. */
  service: string;
  stage: string;
  destinationArn?: string;
  roleArn?: string;
  /** OpenSearch URL or Amazon OpenSearch Service domain name; only bootstrap and backfill need it. */
  opensearchEndpoint?: string;
}

function optional(env: NodeJS.ProcessEnv, name: string): string | undefined {
  return env[name]?.trim() || undefined;
}

/**
 * @example
 * const env = readOpsEnv(process.env);
 */
export function readOpsEnv(env: NodeJS.ProcessEnv): OpsEnv {
  const awsEndpoint = optional(env, 'AWS_ENDPOINT_URL');
  if (awsEndpoint && !URL.canParse(awsEndpoint)) {
    throw new ConfigError(
      `environment variable AWS_ENDPOINT_URL is not a URL: ${JSON.stringify(awsEndpoint)}`,
      undefined,
      'AWS_ENDPOINT_URL',
    );
  }
  const stage = optional(env, 'LOGFERRY_STAGE') ?? 'dev';
  if (!/^[a-zA-Z0-9-]+$/.test(stage))
    throw new ConfigError(
      `LOGFERRY_STAGE is not a stage name: ${JSON.stringify(stage)}`,
      undefined,
      'LOGFERRY_STAGE',
    );
  return {
    region: optional(env, 'AWS_REGION') ?? optional(env, 'AWS_DEFAULT_REGION') ?? 'us-east-1',
    awsEndpoint,
    configFile: optional(env, 'LOGFERRY_CONFIG') ?? defaultConfigFile(env),
    service: optional(env, 'LOGFERRY_SERVICE') ?? 'logferry',
    stage,
    destinationArn: optional(env, 'SUBSCRIPTION_DESTINATION_ARN'),
    roleArn: optional(env, 'SUBSCRIPTION_ROLE_ARN'),
    opensearchEndpoint: optional(env, 'OPENSEARCH_URL'),
  };
}
