// OpenSearch Dashboards' saved-objects import API: a multipart upload of an export file, SigV4-signed for AWS domains.
import { createHash, createHmac, type Hash, type Hmac, randomBytes } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider, Checksum, SourceData } from '@smithy/types';
import { sigv4Service } from './opensearch.ts';

/** The import route, relative to the Dashboards base URL. */
export const IMPORT_PATH = '/api/saved_objects/_import';

/** Dashboards refuses state-changing API calls without it (its XSRF guard); any value will do. */
export const XSRF_HEADER = 'osd-xsrf';

export interface ImportError {
  id: string;
  type: string;
  title?: string;
  error: { type: string; [key: string]: unknown };
}

/** What the import API answers with a 200, whether every object went in or not. */
export interface ImportResult {
  success: boolean;
  successCount: number;
  errors?: ImportError[];
}

/** The import API answered with an HTTP error (auth, a proxy, a Dashboards that is not there). */
export class DashboardsImportError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'DashboardsImportError';
  }
}

/**
 * A `multipart/form-data` body with one file field, as a browser's form upload sends it.
 *
 * @example
 * const { body, contentType } = multipartFile('file', 'logferry.ndjson', ndjson);
 */
export function multipartFile(
  field: string,
  filename: string,
  content: string,
  boundary = `----logferry${randomBytes(12).toString('hex')}`,
): { body: Buffer; contentType: string } {
  const head =
    `--${boundary}\r\n` +
    `Content-Disposition: form-data; name="${field}"; filename="${filename}"\r\n` +
    'Content-Type: application/ndjson\r\n\r\n';
  const body = Buffer.concat([
    Buffer.from(head),
    Buffer.from(content),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** SHA-256 (and its HMAC) on node:crypto, the shape SignatureV4 hashes with. */
class NodeSha256 implements Checksum {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    if (this.secret === undefined) return createHash('sha256');
    const key =
      typeof this.secret === 'string' ? this.secret : Buffer.from(this.secret as Uint8Array);
    return createHmac('sha256', key);
  }
  update(data: Uint8Array | string): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

export interface DashboardsImportOptions {
  /** Dashboards base URL, e.g. https://search-x.eu-west-1.es.amazonaws.com/_dashboards. */
  url: string;
  /** SigV4 service to sign for; by default `es`/`aoss` for AWS hosts and no signing elsewhere. */
  sign?: 'es' | 'aoss' | false;
  region?: string;
  credentials?: AwsCredentialIdentityProvider;
  timeoutMs?: number;
}

/**
 * Imports an export file with `overwrite=true`: objects with the file's ids are replaced, every other
 * object is left alone. Resolves with the API's answer (which lists objects that failed); rejects on an
 * HTTP error.
 *
 * @example
 * const result = await importSavedObjects({ url: 'http://127.0.0.1:5601' }, readFileSync('dashboards/logferry.ndjson', 'utf8'));
 */
export async function importSavedObjects(
  opts: DashboardsImportOptions,
  ndjson: string,
): Promise<ImportResult> {
  const base = new URL(opts.url.replace(/\/+$/, ''));
  const target = new URL(`${base.pathname.replace(/\/+$/, '')}${IMPORT_PATH}`, base);
  target.searchParams.set('overwrite', 'true');
  const { body, contentType } = multipartFile('file', 'logferry.ndjson', ndjson);
  let headers: Record<string, string> = {
    host: target.host,
    'content-type': contentType,
    'content-length': String(body.length),
    [XSRF_HEADER]: 'true',
  };
  const service = opts.sign === undefined ? sigv4Service(target.href) : opts.sign || undefined;
  if (service) {
    const signer = new SignatureV4({
      service,
      region: opts.region ?? process.env.AWS_REGION ?? 'us-east-1',
      credentials: opts.credentials ?? defaultProvider(),
      sha256: NodeSha256,
    });
    const signed = await signer.sign({
      method: 'POST',
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port ? Number(target.port) : undefined,
      path: target.pathname,
      query: Object.fromEntries(target.searchParams),
      headers,
      body,
    });
    headers = signed.headers as Record<string, string>;
  }
  // Signed with the host it goes to; fetch sets that header itself from the URL.
  const { host: _host, ...sent } = headers;
  let res: Response;
  try {
    res = await fetch(target, {
      method: 'POST',
      headers: sent,
      body,
      signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
    });
  } catch (err) {
    throw new DashboardsImportError(
      `cannot reach OpenSearch Dashboards at ${base.href}: ${(err as Error).message}`,
      undefined,
      { cause: err },
    );
  }
  const text = await res.text();
  if (!res.ok) {
    throw new DashboardsImportError(
      `OpenSearch Dashboards import at ${base.href} answered HTTP ${res.status}: ${text.slice(0, 300)}`,
      res.status,
    );
  }
  try {
    return JSON.parse(text) as ImportResult;
  } catch (err) {
    throw new DashboardsImportError(
      `OpenSearch Dashboards import at ${base.href} answered something that is not JSON: ${text.slice(0, 120)}`,
      res.status,
      { cause: err },
    );
  }
}
