// S3 client factory: real AWS by default, moto (or any endpoint) when AWS_ENDPOINT_URL is set.
import { S3Client } from '@aws-sdk/client-s3';

export interface AwsClientOptions {
  region?: string;
  /** A custom endpoint (moto, LocalStack); path-style addressing is forced for it. */
  endpoint?: string;
}

export function createS3Client(opts: AwsClientOptions = {}): S3Client {
  return new S3Client({
    region: opts.region,
    ...(opts.endpoint ? { endpoint: opts.endpoint, forcePathStyle: true } : {}),
    // Emulators do not all implement the SDK's default CRC32 flexible checksums; S3 accepts both ways.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
