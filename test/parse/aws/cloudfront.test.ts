// CloudFront standard log lines: the legacy field list, a `#Fields:` header of another order, v2 JSON.
import { describe, expect, it } from 'vitest';
import { CLOUDFRONT_FIELDS } from '#shared/parse/aws/cloudfront.ts';
import { parseLine } from '#shared/parse/index.ts';
import type { ParseContext } from '#shared/parse/types.ts';

const ctxOf = (fields?: string[]): ParseContext => ({
  eventTime: Date.UTC(2025, 10, 20, 12),
  source: { s3: { bucket: 'cf-logs', key: 'E2EXAMPLE.2019-12-04-21.abc.gz', fields } },
});

describe('aws.cloudfront', () => {
  it('reads every legacy field of a line (documentation example), decoding only the user agent', () => {
    // Prepare: the documentation's first example line, with the five newest fields appended.
    const values = [
      '2019-12-04',
      '21:02:31',
      'LAX1',
      '392',
      '192.0.2.100',
      'GET',
      'd111111abcdef8.cloudfront.net',
      '/index.html',
      '200',
      '-',
      'Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)',
      'a=1&b=%252F',
      'session=abc',
      'Hit',
      'SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==',
      'd111111abcdef8.cloudfront.net',
      'https',
      '23',
      '0.001',
      '203.0.113.7, 10.0.0.1',
      'TLSv1.2',
      'ECDHE-RSA-AES128-GCM-SHA256',
      'Hit',
      'HTTP/2.0',
      '-',
      '-',
      '11040',
      '0.001',
      'Hit',
      'text/html',
      '78',
      '-',
      '-',
      '0.002',
      '0.003',
      '16509',
      'US',
      '/static/*',
    ];
    expect(values).toHaveLength(CLOUDFRONT_FIELDS.length);
    const line = values.join('\t');
    // Act
    const p = parseLine(line, ctxOf(), 'aws.cloudfront');
    // Assess
    expect(p.tags).toBeUndefined();
    expect(p).toMatchObject({
      dataset: 'aws.cloudfront',
      time: Date.UTC(2019, 11, 4, 21, 2, 31),
      message: line,
      fields: {
        source: {
          ip: '192.0.2.100',
          port: 11040,
          geo: { country_iso_code: 'US' },
          as: { number: 16509 },
        },
        client: { ip: '203.0.113.7' },
        network: { forwarded_ip: ['203.0.113.7', '10.0.0.1'] },
        http: {
          version: '2.0',
          request: {
            method: 'GET',
            bytes: 23,
            id: 'SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==',
          },
          response: { status_code: 200, bytes: 392, mime_type: 'text/html', body: { bytes: 78 } },
        },
        url: {
          scheme: 'https',
          domain: 'd111111abcdef8.cloudfront.net',
          path: '/index.html',
          query: 'a=1&b=%252F',
          original: 'https://d111111abcdef8.cloudfront.net/index.html?a=1&b=%252F',
        },
        user_agent: { original: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)' },
        tls: { version: '1.2', version_protocol: 'tls', cipher: 'ECDHE-RSA-AES128-GCM-SHA256' },
        event: { duration: 1_000_000 },
        aws: {
          cloudfront: {
            edge_location: 'LAX1',
            distribution_domain: 'd111111abcdef8.cloudfront.net',
            cookie: 'session=abc',
            edge_result_type: 'Hit',
            edge_response_result_type: 'Hit',
            edge_detailed_result_type: 'Hit',
            time_to_first_byte: 0.001,
            origin_fbl: 0.002,
            origin_lbl: 0.003,
            cache_behavior_path_pattern: '/static/*',
          },
        },
      },
    });
    const cf = (p.fields!.aws as { cloudfront: Record<string, unknown> }).cloudfront;
    for (const absent of ['fle_status', 'fle_encrypted_fields', 'range_start', 'range_end'])
      expect(cf, absent).not.toHaveProperty(absent);
    expect(p.fields!.http).not.toHaveProperty('request.referrer');
  });

  it('follows the #Fields: header order, and keeps names it does not know in app', () => {
    const fields = [
      'time',
      'date',
      'sc-status',
      'c-ip',
      'x-brand-new-field',
      'cs-protocol-version',
    ];
    const p = parseLine(
      '10:00:01\t2025-11-20\t503\t2001:db8::7\tnew\tHTTP/3.0',
      ctxOf(fields),
      'aws.cloudfront',
    );
    expect(p).toMatchObject({
      time: Date.UTC(2025, 10, 20, 10, 0, 1),
      fields: {
        source: { ip: '2001:db8::7' },
        http: { response: { status_code: 503 }, version: '3.0' },
      },
      app: { 'x-brand-new-field': 'new' },
    });
  });

  it('reads a v2 JSON line with the same field names, epoch timestamp and c-ip-version', () => {
    const line = JSON.stringify({
      timestamp: '1732104000.123',
      'c-ip': '198.51.100.9',
      'c-ip-version': 'IPv4',
      'cs-method': 'POST',
      'sc-status': '403',
      'distribution-id': 'E2EXAMPLE',
      'cs-uri-stem': '/api',
      'x-host-header': 'www.example.com',
    });
    const p = parseLine(line, ctxOf(), 'aws.cloudfront');
    expect(p).toMatchObject({
      time: 1732104000123,
      fields: {
        network: { type: 'ipv4' },
        url: { original: 'https://www.example.com/api' },
        aws: { cloudfront: { distribution_id: 'E2EXAMPLE' } },
      },
    });
  });

  it('is a parse failure for a line without a date and time, and for a header-less JSON array', () => {
    expect(
      parseLine(
        'LAX1\t392\t1.2.3.4',
        ctxOf(['x-edge-location', 'sc-bytes', 'c-ip']),
        'aws.cloudfront',
      ).tags,
    ).toEqual(['_parse_failure']);
    expect(parseLine('[1,2]', ctxOf(), 'aws.cloudfront').tags).toEqual(['_parse_failure']);
  });

  it('keeps header names such as __proto__ as plain own fields', () => {
    const p = parseLine(
      '2025-11-20\t10:00:00\tx',
      ctxOf(['date', 'time', '__proto__']),
      'aws.cloudfront',
    );
    expect(Object.hasOwn(p.app!, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
