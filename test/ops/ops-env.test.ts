import { describe, expect, it } from 'vitest';
import { endpointOfDomain } from '#shared/clients/opensearch-endpoint.ts';
import { readOpsEnv } from '#shared/config/ops-env.ts';
import { ConfigError, EndpointResolutionError } from '#shared/errors.ts';

describe('readOpsEnv', () => {
  it('reads the subscribe settings with defaults for service and stage', () => {
    const env = readOpsEnv({
      SUBSCRIPTION_DESTINATION_ARN: ' arn:aws:lambda:x ',
      AWS_REGION: 'eu-west-1',
    });
    expect(env).toMatchObject({
      service: 'logferry',
      stage: 'dev',
      region: 'eu-west-1',
      destinationArn: 'arn:aws:lambda:x',
    });
    expect(env.roleArn).toBeUndefined();
  });

  it('refuses a malformed endpoint or stage by name', () => {
    expect(() => readOpsEnv({ AWS_ENDPOINT_URL: 'localhost 5000' })).toThrow(ConfigError);
    expect(() => readOpsEnv({ LOGFERRY_STAGE: 'prod/eu' })).toThrow(/LOGFERRY_STAGE/);
  });
});

describe('endpointOfDomain', () => {
  it('prefers the VPC endpoint, else the public one', () => {
    expect(
      endpointOfDomain({
        DomainName: 'logs',
        Endpoints: { vpc: 'vpc-logs-abc.eu-west-1.es.amazonaws.com' },
      } as never),
    ).toEqual({
      url: 'https://vpc-logs-abc.eu-west-1.es.amazonaws.com',
      domain: 'logs',
      vpc: true,
    });
    expect(
      endpointOfDomain({
        DomainName: 'logs',
        Endpoint: 'search-logs-abc.eu-west-1.es.amazonaws.com',
      } as never).vpc,
    ).toBe(false);
  });

  it('says a domain still being created has no endpoint yet', () => {
    expect(() => endpointOfDomain({ DomainName: 'logs', Processing: true } as never)).toThrow(
      EndpointResolutionError,
    );
    expect(() => endpointOfDomain({ DomainName: 'logs', Processing: true } as never)).toThrow(
      /still being created/,
    );
  });
});
