// Turns the configured OpenSearch endpoint (a URL, or an Amazon OpenSearch Service domain name) into a URL.
import {
  DescribeDomainCommand,
  type DomainStatus,
  OpenSearchClient,
} from '@aws-sdk/client-opensearch';
import { EndpointResolutionError } from '#shared/errors.ts';
import type { AwsClientOptions } from './s3.ts';

/** Amazon OpenSearch Service domain names: 3 to 28 characters, lowercase letter first. */
const DOMAIN_NAME = /^[a-z][a-z0-9-]{2,27}$/;

export interface ResolvedEndpoint {
  url: string;
  /** Set when the value was a domain name. */
  domain?: string;
  /** The domain lives in a VPC: only reachable from inside it (Lambda in the VPC, bastion, VPN). */
  vpc?: boolean;
}

export function createOpenSearchServiceClient(opts: AwsClientOptions = {}): OpenSearchClient {
  return new OpenSearchClient({
    region: opts.region,
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    maxAttempts: 5,
  });
}

/** The URL of a described domain: its VPC endpoint when it has one, else its public (IPv4) endpoint. */
export function endpointOfDomain(status: DomainStatus): ResolvedEndpoint {
  const domain = status.DomainName ?? '(unnamed)';
  if (status.Deleted)
    throw new EndpointResolutionError(`OpenSearch domain ${domain} is being deleted`, domain);
  const vpc = status.Endpoints?.vpc;
  const host = vpc ?? status.Endpoint ?? status.EndpointV2;
  if (!host) {
    const why =
      status.Processing || status.Created === false
        ? 'it is still being created'
        : 'DescribeDomain returned none';
    throw new EndpointResolutionError(
      `OpenSearch domain ${domain} has no endpoint yet: ${why}`,
      domain,
    );
  }
  return { url: `https://${host}`, domain, vpc: vpc !== undefined };
}

/**
 * A URL is returned as is; a domain name is looked up with DescribeDomain.
 *
 * @example
 * const { url } = await resolveOpenSearchEndpoint('logferry', createOpenSearchServiceClient({ region }));
 */
export async function resolveOpenSearchEndpoint(
  value: string,
  client: Pick<OpenSearchClient, 'send'>,
): Promise<ResolvedEndpoint> {
  const trimmed = value.trim();
  if (/^https?:\/\//i.test(trimmed)) return { url: trimmed.replace(/\/+$/, '') };
  if (!DOMAIN_NAME.test(trimmed)) {
    throw new EndpointResolutionError(
      `OpenSearch endpoint ${JSON.stringify(value)} is neither an http(s) URL nor a domain name (3-28 of a-z, 0-9, -)`,
      trimmed,
    );
  }
  let status: DomainStatus | undefined;
  try {
    status = (await client.send(new DescribeDomainCommand({ DomainName: trimmed }))).DomainStatus;
  } catch (err) {
    const name = (err as Error).name;
    const why =
      name === 'ResourceNotFoundException'
        ? 'no such domain in this account and region'
        : (err as Error).message;
    throw new EndpointResolutionError(
      `cannot resolve OpenSearch domain ${trimmed}: ${why}`,
      trimmed,
      { cause: err },
    );
  }
  if (!status)
    throw new EndpointResolutionError(`DescribeDomain returned nothing for ${trimmed}`, trimmed);
  return endpointOfDomain(status);
}
