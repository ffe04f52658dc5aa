// AWS WAF web ACL log records, shaped like the AWS WAF Developer Guide's log examples.
import { describe, expect, it } from 'vitest';
import { parseLine } from '#shared/parse/index.ts';
import type { ParseContext } from '#shared/parse/types.ts';

const ctx: ParseContext = { eventTime: Date.UTC(2025, 10, 20, 12), source: {} };

const blocked = {
  timestamp: 1576280412771,
  formatVersion: 1,
  webaclId:
    'arn:aws:wafv2:ap-southeast-2:111122223333:regional/webacl/STMTest/1EXAMPLE-2ARN-3ARN-4ARN-123456EXAMPLE',
  terminatingRuleId: 'STMTest_SQLi_XSS',
  terminatingRuleType: 'REGULAR',
  action: 'BLOCK',
  terminatingRuleMatchDetails: [
    { conditionType: 'SQL_INJECTION', location: 'UNKNOWN', matchedData: ['10', 'AND', '1'] },
  ],
  httpSourceName: 'ALB',
  httpSourceId: '111122223333-app/sample-alb/1234567890123456',
  ruleGroupList: [],
  rateBasedRuleList: [],
  nonTerminatingMatchingRules: [],
  requestHeadersInserted: null,
  responseCodeSent: 403,
  httpRequest: {
    clientIp: '1.1.1.1',
    country: 'AU',
    headers: [
      { name: 'Host', value: 'localhost:1989' },
      { name: 'User-Agent', value: 'curl/7.61.1' },
      { name: 'Accept', value: '*/*' },
      { name: 'x-stm-test', value: '10 AND 1=1' },
    ],
    uri: '/myUri',
    args: 'a=1',
    httpVersion: 'HTTP/1.1',
    httpMethod: 'GET',
    requestId: 'rid',
    fragment: '#frag',
    scheme: 'http',
    host: 'localhost:1989',
  },
  labels: [{ name: 'awswaf:clientip:geo:country:AU' }],
  ja3Fingerprint: 'e7e4e1b7b4bbd2e1d3f9e4e4d3c0c0e1',
  ja4Fingerprint: 't13d1516h2_8daaf6152771_e5627efa2ab1',
  requestBodySize: 0,
  requestBodySizeInspectedByWAF: 0,
};

describe('aws.waf', () => {
  it('reads a blocked request: decision, rule, client, request, headers, labels, fingerprints', () => {
    const line = JSON.stringify(blocked);
    const p = parseLine(line, ctx, 'aws.waf');
    expect(p).toMatchObject({
      dataset: 'aws.waf',
      time: 1576280412771,
      message: 'BLOCK GET localhost:1989/myUri (STMTest_SQLi_XSS)',
      fields: {
        event: { action: 'BLOCK' },
        rule: { id: 'STMTest_SQLi_XSS', ruleset: 'REGULAR' },
        source: { ip: '1.1.1.1', geo: { country_iso_code: 'AU' } },
        http: {
          version: '1.1',
          request: { method: 'GET', id: 'rid' },
          response: { status_code: 403 },
        },
        url: {
          domain: 'localhost',
          port: 1989,
          path: '/myUri',
          query: 'a=1',
          fragment: '#frag',
          scheme: 'http',
          original: 'http://localhost:1989/myUri?a=1',
        },
        user_agent: { original: 'curl/7.61.1' },
        tls: { client: { ja3: 'e7e4e1b7b4bbd2e1d3f9e4e4d3c0c0e1' } },
        aws: {
          waf: {
            format_version: 1,
            web_acl_id: blocked.webaclId,
            http_source_name: 'ALB',
            http_source_id: blocked.httpSourceId,
            labels: ['awswaf:clientip:geo:country:AU'],
            ja4_fingerprint: 't13d1516h2_8daaf6152771_e5627efa2ab1',
            request_body_size: 0,
            terminating_rule_match_details: blocked.terminatingRuleMatchDetails,
            request: {
              headers: {
                host: 'localhost:1989',
                'user-agent': 'curl/7.61.1',
                'x-stm-test': '10 AND 1=1',
              },
            },
          },
        },
      },
    });
    // A null list is absent, not an empty object.
    expect(p.fields!.aws).not.toHaveProperty('waf.request_headers_inserted');
  });

  it('reads an allowed request with no terminating rule detail and no headers', () => {
    const p = parseLine(
      JSON.stringify({
        timestamp: 1732104000000,
        action: 'ALLOW',
        terminatingRuleId: 'Default_Action',
        httpRequest: { clientIp: '2001:db8::1', uri: '/', httpMethod: 'HEAD' },
      }),
      ctx,
      'aws.waf',
    );
    expect(p.fields).toMatchObject({
      source: { ip: '2001:db8::1' },
      url: { original: '/' },
      rule: { id: 'Default_Action' },
    });
  });

  it('is a parse failure without a timestamp, action or request', () => {
    for (const r of [
      { action: 'BLOCK', httpRequest: {} },
      { timestamp: 1, httpRequest: {} },
      { timestamp: 1, action: 'BLOCK' },
    ])
      expect(parseLine(JSON.stringify(r), ctx, 'aws.waf').tags).toEqual(['_parse_failure']);
  });
});
