// CloudWatch Logs client factory: adaptive retries (client-side rate limiting) because its control-plane quotas are low.
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { AwsClientOptions } from './s3.ts';

/**
 * @example
 * const logs = createCloudWatchLogsClient({ region: 'eu-west-1', endpoint: process.env.AWS_ENDPOINT_URL });
 */
export function createCloudWatchLogsClient(opts: AwsClientOptions = {}): CloudWatchLogsClient {
  return new CloudWatchLogsClient({
    region: opts.region,
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    // 'adaptive' slows the client down after throttles instead of only spacing its retries.
    retryMode: 'adaptive',
    maxAttempts: 6,
  });
}
