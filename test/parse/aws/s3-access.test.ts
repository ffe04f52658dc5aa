// S3 server access log records, from the Amazon S3 documentation's example log.
import { describe, expect, it } from 'vitest';
import { parseLine } from '#shared/parse/index.ts';
import type { ParseContext } from '#shared/parse/types.ts';

const ctx: ParseContext = { eventTime: Date.UTC(2025, 10, 20, 12), source: {} };
const OWNER = '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be';
const HOST_ID = 's9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234=';

describe('aws.s3access', () => {
  it('reads every field of a record, the bracketed time with its space included', () => {
    // Prepare
    const line = `${OWNER} amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 ${OWNER} 3E57427F3EXAMPLE REST.GET.VERSIONING - "GET /amzn-s3-demo-bucket1?versioning HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4" - ${HOST_ID} SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com TLSV1.2 arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP Yes us-east-1`;
    // Act
    const p = parseLine(line, ctx, 'aws.s3access');
    // Assess
    expect(p).toMatchObject({
      dataset: 'aws.s3access',
      time: Date.UTC(2019, 1, 6, 0, 0, 38),
      message: line,
      fields: {
        source: { ip: '192.0.2.3' },
        event: { action: 'REST.GET.VERSIONING', duration: 7_000_000 },
        http: {
          request: { method: 'GET' },
          version: '1.1',
          response: { status_code: 200, body: { bytes: 113 } },
        },
        url: {
          original: '/amzn-s3-demo-bucket1?versioning',
          domain: 'amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com',
        },
        user_agent: { original: 'S3Console/0.4' },
        tls: { cipher: 'ECDHE-RSA-AES128-GCM-SHA256', version: '1.2', version_protocol: 'tls' },
        aws: {
          s3access: {
            bucket_owner: OWNER,
            bucket: 'amzn-s3-demo-bucket1',
            requester: OWNER,
            request_id: '3E57427F3EXAMPLE',
            total_time: { ms: 7 },
            host_id: HOST_ID,
            signature_version: 'SigV4',
            authentication_type: 'AuthHeader',
            access_point_arn: 'arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP',
            acl_required: true,
            source_region: 'us-east-1',
          },
        },
      },
    });
    const s3 = (p.fields!.aws as { s3access: Record<string, unknown> }).s3access;
    for (const absent of ['key', 'object_size', 'turn_around_time', 'version_id'])
      expect(s3, absent).not.toHaveProperty(absent);
    expect(p.fields).not.toHaveProperty('error');
  });

  it('reads an anonymous GET of a key with an error code, an IAM requester and an older record without the newest fields', () => {
    const line = `${OWNER} my-bucket [20/Nov/2025:10:00:00 +0000] 2001:db8::5 arn:aws:iam::123456789012:user/alice 7B4A0FABBEXAMPLE REST.GET.OBJECT photos/2025/cat%20pic.jpg "GET /my-bucket/photos/2025/cat%20pic.jpg HTTP/1.1" 404 NoSuchKey 243 - 21 - "https://example.com/page" "aws-cli/2.15.0 Python/3.11 \\"quoted\\"" - ${HOST_ID} SigV4 TLS_AES_128_GCM_SHA256 QueryString my-bucket.s3.amazonaws.com TLSv1.3 - -`;
    const p = parseLine(line, ctx, 'aws.s3access');
    expect(p.fields).toMatchObject({
      source: { ip: '2001:db8::5' },
      error: { code: 'NoSuchKey' },
      http: {
        request: { referrer: 'https://example.com/page' },
        response: { status_code: 404, body: { bytes: 243 } },
      },
      user_agent: { original: 'aws-cli/2.15.0 Python/3.11 "quoted"' },
      aws: {
        s3access: {
          requester: 'arn:aws:iam::123456789012:user/alice',
          key: 'photos/2025/cat%20pic.jpg',
          acl_required: false,
        },
      },
    });
    expect(p.fields!.aws).not.toHaveProperty('s3access.source_region');
  });

  it('keeps fields S3 adds later in app, and fails a line of another format', () => {
    const line = `${OWNER} b [20/Nov/2025:10:00:00 +0000] 1.2.3.4 - ID1 REST.PUT.OBJECT k "PUT /b/k HTTP/1.1" 200 - - 10 5 4 "-" "-" - ${HOST_ID} SigV4 - AuthHeader b.s3.amazonaws.com TLSv1.2 - - us-east-1 new-1 new-2`;
    expect(parseLine(line, ctx, 'aws.s3access').app).toEqual({
      unparsed_fields: ['new-1', 'new-2'],
    });
    expect(parseLine('not an access log line', ctx, 'aws.s3access').tags).toEqual([
      '_parse_failure',
    ]);
    expect(
      parseLine(
        `${OWNER} b [bad time] 1.2.3.4 - a b c "d" 1 2 3 4 5 6 "7" "8" 9`,
        ctx,
        'aws.s3access',
      ).tags,
    ).toEqual(['_parse_failure']);
  });
});
