import { describe, expect, it } from 'vitest';
import { endpointOfDomain } from '#shared/clients/opensearch-endpoint.ts';
import { EndpointResolutionError } from '#shared/errors.ts';

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
