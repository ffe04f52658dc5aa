// OpenSearch client factory: plain HTTP(S) for a self-managed or local cluster, SigV4 for AWS endpoints.
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Client, Transport } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws-v3';
import { withBulkGzip } from './opensearch-gzip.ts';

export interface OpenSearchClientOptions {
  url: string;
  region?: string;
  /** Per-request timeout; bulk calls pass a shorter one taken from the deadline. */
  requestTimeoutMs?: number;
}

/** `es` for managed domains, `aoss` for OpenSearch Serverless, undefined for anything else (no signing). */
export function sigv4Service(url: string): 'es' | 'aoss' | undefined {
  const host = new URL(url).hostname;
  if (host.endsWith('.aoss.amazonaws.com')) return 'aoss';
  if (host.endsWith('.es.amazonaws.com') || host.endsWith('.amazonaws.com')) return 'es';
  return undefined;
}

/**
 * The Dashboards of an Amazon OpenSearch Service domain or Serverless collection sits at `/_dashboards`
 * on the same host; any other endpoint has no Dashboards we could guess.
 *
 * @example
 * dashboardsUrlOf('https://search-logs-abc.eu-west-1.es.amazonaws.com') // '…amazonaws.com/_dashboards'
 */
export function dashboardsUrlOf(opensearchUrl: string): string | undefined {
  if (!URL.canParse(opensearchUrl) || !sigv4Service(opensearchUrl)) return undefined;
  return `${new URL(opensearchUrl).origin}/_dashboards`;
}

/** Region from `search-x.eu-west-1.es.amazonaws.com` or `x.us-east-1.aoss.amazonaws.com`. */
export function regionFromHost(url: string): string | undefined {
  return /\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.(?:es|aoss)\.amazonaws\.com$/.exec(
    new URL(url).hostname,
  )?.[1];
}

export function createOpenSearchClient(opts: OpenSearchClientOptions): Client {
  const service = sigv4Service(opts.url);
  const common = {
    node: opts.url,
    // Bulk bodies are mostly repeated keys: gzip cuts them several-fold on the wire.
    compression: 'gzip' as const,
    requestTimeout: opts.requestTimeoutMs ?? 30_000,
    // The sink retries with its own deadline-aware backoff; transport-level retries would hide time.
    maxRetries: 0,
  };
  // Bulk bodies gzipped at level 1 (opensearch-gzip.ts) instead of the transport's default level.
  if (!service) return new Client({ ...common, Transport: withBulkGzip(Transport) });
  const region = opts.region ?? regionFromHost(opts.url) ?? process.env.AWS_REGION ?? 'us-east-1';
  const credentials = defaultProvider();
  const signer = AwsSigv4Signer({ region, service, getCredentials: () => credentials() });
  return new Client({ ...common, ...signer, Transport: withBulkGzip(signer.Transport) });
}
