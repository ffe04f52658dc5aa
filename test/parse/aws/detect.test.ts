// Which parser an S3 object's key or first line names, which lines are headers, and the field scanner's bounds.
import { describe, expect, it } from 'vitest';
import { headerLine, layoutFromKey, layoutFromLine } from '#shared/parse/aws/detect.ts';
import { hostPort, splitFields, tlsVersion, urlFields } from '#shared/parse/aws/fields.ts';
import { growth } from '#test/helpers/linear-time.ts';

describe('layoutFromKey', () => {
  it.each([
    [
      'AWSLogs/123456789012/elasticloadbalancing/us-east-2/2022/05/01/123456789012_elasticloadbalancing_us-east-2_app.my-lb.1234567890abcdef_20220215T2340Z_172.160.001.192_20sg8hgm.log.gz',
      { dataset: 'aws.elb' },
    ],
    [
      'prefix/AWSLogs/123456789012/elasticloadbalancing/us-east-2/2022/05/01/123456789012_elasticloadbalancing_us-east-2_net.my-nlb.1234_20220215T2340Z_1.2.3.4_x.log.gz',
      { dataset: 'aws.elb' },
    ],
    [
      'AWSLogs/123456789012/CloudTrail/us-east-1/2025/11/20/123456789012_CloudTrail_us-east-1_20251120T1000Z_abc.json.gz',
      { dataset: 'aws.cloudtrail', records: true },
    ],
    [
      'AWSLogs/o-abc123/123456789012/CloudTrail/us-east-1/2025/11/20/x.json.gz',
      { dataset: 'aws.cloudtrail', records: true },
    ],
    [
      'AWSLogs/123456789012/CloudTrail-Insight/us-east-1/2025/11/20/x.json.gz',
      { dataset: 'aws.cloudtrail', records: true },
    ],
    [
      'AWSLogs/123456789012/vpcflowlogs/us-east-1/2025/11/20/123456789012_vpcflowlogs_us-east-1_fl-1234abcd_20251120T1000Z_hash.log.gz',
      { dataset: 'aws.vpcflow' },
    ],
    [
      'AWSLogs/123456789012/WAFLogs/us-east-1/my-acl/2025/11/20/10/00/123456789012_waflogs_us-east-1_my-acl_20251120T1000Z_hash.log.gz',
      { dataset: 'aws.waf' },
    ],
    ['cf-logs/E2EXAMPLE123.2019-12-04-21.a1b2c3d4.gz', { dataset: 'aws.cloudfront' }],
    ['access/2025-11-20-10-00-00-0123456789ABCDEF', { dataset: 'aws.s3access' }],
    [
      'logs/123456789012/us-east-1/source-bucket/2025/11/20/2025-11-20-10-00-00-0123456789ABCDEF',
      { dataset: 'aws.s3access' },
    ],
  ])('%s', (key, layout) => {
    expect(layoutFromKey(key)).toEqual(layout);
  });

  it('skips CloudTrail digests and the ELB test file, and names nothing for ALB connection logs or unknown keys', () => {
    expect(
      layoutFromKey('AWSLogs/1/CloudTrail-Digest/us-east-1/2025/11/20/x.json.gz').skip,
    ).toMatch(/digest/);
    expect(layoutFromKey('AWSLogs/1/elasticloadbalancing/ELBAccessLogTestFile').skip).toMatch(
      /test file/,
    );
    expect(
      layoutFromKey(
        'AWSLogs/1/elasticloadbalancing/us-east-1/2025/11/20/conn_log.1_elasticloadbalancing_x.log.gz',
      ),
    ).toEqual({});
    expect(layoutFromKey('app/2025/11/20/service.log')).toEqual({});
  });
});

describe('layoutFromLine', () => {
  it("tells the families apart by an object's first line when the key did not", () => {
    expect(layoutFromLine('#Version: 1.0', {})).toEqual({ dataset: 'aws.cloudfront' });
    expect(layoutFromLine('{"Records":[{"eventVersion":"1.08"', {})).toEqual({
      dataset: 'aws.cloudtrail',
      records: true,
    });
    expect(layoutFromLine('{"timestamp":1,"webaclId":"a","httpRequest":{}}', {})).toEqual({
      dataset: 'aws.waf',
    });
    expect(
      layoutFromLine(
        'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
        {},
      ),
    ).toEqual({ dataset: 'aws.vpcflow' });
    expect(
      layoutFromLine(
        '2 123456789010 eni-1 1.1.1.1 2.2.2.2 1 2 6 1 1 1418530010 1418530070 ACCEPT OK',
        {},
      ),
    ).toEqual({ dataset: 'aws.vpcflow' });
    expect(
      layoutFromLine(
        'http 2025-11-20T10:00:00.000000Z app/lb/1 1.1.1.1:1 - 0 0 0 200 200 1 1 "GET http://a:80/ HTTP/1.1" "-" - -',
        {},
      ),
    ).toEqual({ dataset: 'aws.elb' });
    expect(layoutFromLine('{"level":"info","msg":"app log"}', {})).toEqual({});
    expect(layoutFromLine('plain application text', {})).toEqual({});
  });
});

describe('headerLine', () => {
  it('reads #Fields: and VPC header lines, passes over #Version:, and leaves log lines alone', () => {
    expect(headerLine('aws.cloudfront', '#Fields: date time  c-ip')).toEqual({
      fields: ['date', 'time', 'c-ip'],
    });
    expect(headerLine('aws.cloudfront', '#Version: 1.0')).toEqual({});
    expect(headerLine('aws.cloudfront', '2019-12-04\t21:02:31')).toBeUndefined();
    expect(headerLine('aws.vpcflow', 'version srcaddr')).toEqual({
      fields: ['version', 'srcaddr'],
    });
    expect(headerLine('aws.vpcflow', 'eni-123 10.0.0.1')).toBeUndefined();
    expect(headerLine('aws.elb', '#not a header')).toBeUndefined();
  });
});

describe('field helpers', () => {
  it('splits quoted, bracketed, empty and unterminated fields', () => {
    expect(splitFields('a "b c" [d e] "" -  x')).toEqual(['a', 'b c', 'd e', '', '-', '', 'x']);
    expect(splitFields('a "b \\" c" d')).toEqual(['a', 'b " c', 'd']);
    expect(splitFields('a "unterminated b c')).toEqual(['a', 'unterminated b c']);
    expect(splitFields('a [no close')).toEqual(['a', '[no', 'close']);
  });

  it('reads host:port for IPv4, bracketed and bare IPv6, and a missing port', () => {
    expect(hostPort('10.0.0.1:80')).toEqual({ ip: '10.0.0.1', port: 80 });
    expect(hostPort('[2001:db8::1]:443')).toEqual({ ip: '2001:db8::1', port: 443 });
    expect(hostPort('2001:db8::1:443')).toEqual({ ip: '2001:db8::1', port: 443 });
    expect(hostPort('host')).toEqual({ ip: 'host' });
    expect(hostPort('-')).toBeUndefined();
  });

  it('normalises TLS versions and splits URLs', () => {
    expect(tlsVersion('tlsv13')).toEqual({ version_protocol: 'tls', version: '1.3' });
    expect(tlsVersion('SSLv3')).toEqual({ version_protocol: 'ssl', version: '3.0' });
    expect(tlsVersion('-')).toBeUndefined();
    expect(urlFields('not a url')).toEqual({ original: 'not a url' });
    expect(urlFields('http://[2001:db8::1]:8080')).toMatchObject({
      domain: '2001:db8::1',
      port: 8080,
    });
  });

  it('runs in linear time on hostile lines: quotes, backslashes and brackets in long runs', () => {
    for (const make of [
      (n: number) => `"${'\\"'.repeat(n)}`,
      (n: number) => `"${'a" '.repeat(n)}`,
      (n: number) => `${'[a '.repeat(n)}`,
      (n: number) => `"${'\\'.repeat(n)}" x`,
    ]) {
      // Linear grows ~8x; quadratic ~64x. A busy machine gets a second, longer try.
      const run = (repeats: number) =>
        growth(make, (line) => splitFields(line), { n: 4096, repeats });
      let g = run(3);
      if (g.ratio >= g.scale * 4) g = run(5);
      expect(g.ratio, make(3)).toBeLessThan(g.scale * 4);
    }
  });
});
