import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestEnv, readEnv } from '#shared/config/env.ts';
import { ConfigError } from '#shared/errors.ts';

describe('readEnv', () => {
  it('reads the subscribe settings with defaults for service and stage', () => {
    const env = readEnv({
      SUBSCRIPTION_DESTINATION_ARN: ' arn:aws:lambda:x ',
      AWS_REGION: 'eu-west-1',
    });
    expect(env).toMatchObject({
      service: 'logferry',
      stage: 'dev',
      region: 'eu-west-1',
      subscriptionDestinationArn: 'arn:aws:lambda:x',
    });
    expect(env.subscriptionRoleArn).toBeUndefined();
  });

  it('refuses a malformed endpoint, stage or Slack setting by name, never repeating the webhook', () => {
    expect(() => readEnv({ AWS_ENDPOINT_URL: 'localhost 5000' })).toThrow(ConfigError);
    expect(() => readEnv({ LOGFERRY_STAGE: 'prod/eu' })).toThrow(/LOGFERRY_STAGE/);
    expect(() => readEnv({ SLACK_WEBHOOK_PARAM: 'logferry/slack' })).toThrow(/SLACK_WEBHOOK_PARAM/);
    const secret = 'hooks.slack.com/services/T0/B0/secret';
    expect(() => readEnv({ SLACK_WEBHOOK_URL: secret })).toThrow(/not an http\(s\) URL/);
    expect(() => readEnv({ SLACK_WEBHOOK_URL: secret })).not.toThrow(/secret/);
  });

  it('in Lambda defaults the configuration to logferry.json beside the bundle, elsewhere to logferry.yml', () => {
    expect(readEnv({ LAMBDA_TASK_ROOT: '/var/task' }).configFile).toBe('/var/task/logferry.json');
    expect(readEnv({}).configFile).toBe(join(process.cwd(), 'logferry.yml'));
    expect(readEnv({ LOGFERRY_CONFIG: ' my.json ' }).configFile).toBe('my.json');
  });
});

describe('ingestEnv', () => {
  it('insists on an OpenSearch URL and an archive bucket, naming the variable', () => {
    expect(() => ingestEnv(readEnv({ ARCHIVE_BUCKET: 'b' }))).toThrow(/OPENSEARCH_URL is not set/);
    expect(() => ingestEnv(readEnv({ OPENSEARCH_URL: 'http://os:9200' }))).toThrow(
      /ARCHIVE_BUCKET is not set/,
    );
    // A domain name is for the CLIs that resolve it; the functions need a URL at cold start.
    expect(() => ingestEnv(readEnv({ OPENSEARCH_URL: 'logs', ARCHIVE_BUCKET: 'b' }))).toThrow(
      /OPENSEARCH_URL is not a URL/,
    );
    expect(
      ingestEnv(
        readEnv({ OPENSEARCH_URL: 'https://search-x.es.amazonaws.com/', ARCHIVE_BUCKET: 'b' }),
      ),
    ).toMatchObject({ opensearchUrl: 'https://search-x.es.amazonaws.com', archiveBucket: 'b' });
  });
});
