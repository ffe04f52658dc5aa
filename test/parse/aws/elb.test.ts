// ALB and NLB access log lines, from the shapes of the Elastic Load Balancing documentation's examples.
import { describe, expect, it } from 'vitest';
import { parseLine } from '#shared/parse/index.ts';
import type { ParseContext } from '#shared/parse/types.ts';

const ctx: ParseContext = {
  eventTime: Date.UTC(2025, 10, 20, 12),
  source: { logGroup: 'logs-bucket', logStream: 'AWSLogs/123456789012/elasticloadbalancing/x' },
};
const TG =
  'arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067';

describe('aws.elb: Application Load Balancer', () => {
  it('reads every field of an HTTP/2 entry, timings in seconds and the request in ns', () => {
    // Prepare
    const line = `h2 2015-11-17T07:27:17.654473Z app/my-loadbalancer/50dc6c495c0c9188 10.0.1.252:48160 10.0.0.66:9000 0.000 0.002 0.000 200 200 5 257 "GET https://10.0.2.105:773/ HTTP/2.0" "curl/7.46.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 ${TG} "Root=1-58337327-72bd00b0343d75b906739c42" "-" "-" 1 2015-11-17T07:27:17.652000Z "redirect" "https://example.com:80/" "-" "10.0.0.66:9000" "200" "-" "-" TID_1234abcd5678ef90`;
    // Act
    const p = parseLine(line, ctx, 'aws.elb');
    // Assess
    expect(p.tags).toBeUndefined();
    expect(p).toMatchObject({
      dataset: 'aws.elb',
      time: Date.UTC(2015, 10, 17, 7, 27, 17, 654),
      message: line,
      fields: {
        source: { ip: '10.0.1.252', port: 48160 },
        http: {
          version: '2.0',
          request: { method: 'GET', bytes: 5 },
          response: { status_code: 200, bytes: 257 },
        },
        url: {
          original: 'https://10.0.2.105:773/',
          scheme: 'https',
          domain: '10.0.2.105',
          port: 773,
          path: '/',
        },
        user_agent: { original: 'curl/7.46.0' },
        tls: { cipher: 'ECDHE-RSA-AES128-GCM-SHA256', version: '1.2', version_protocol: 'tls' },
        event: {
          duration: 2_000_000,
          start: '2015-11-17T07:27:17.652Z',
          end: '2015-11-17T07:27:17.654Z',
        },
        aws: {
          elb: {
            type: 'h2',
            name: 'app/my-loadbalancer/50dc6c495c0c9188',
            target: { ip: '10.0.0.66', port: 9000 },
            request_processing_time: { sec: 0 },
            target_processing_time: { sec: 0.002 },
            response_processing_time: { sec: 0 },
            target_status_code: 200,
            target_group: { arn: TG },
            trace_id: 'Root=1-58337327-72bd00b0343d75b906739c42',
            matched_rule_priority: 1,
            actions_executed: ['redirect'],
            redirect_url: 'https://example.com:80/',
            target_port_list: ['10.0.0.66:9000'],
            target_status_code_list: ['200'],
            conn_trace_id: 'TID_1234abcd5678ef90',
          },
        },
      },
    });
    const elb = (p.fields!.aws as { elb: Record<string, unknown> }).elb;
    // `-` fields are left out, not written as "-".
    expect(elb).not.toHaveProperty('chosen_cert');
    expect(elb).not.toHaveProperty('error_reason');
    expect(p.fields!.tls).not.toHaveProperty('client');
  });

  it('keeps a quoted user agent with spaces and quotes whole, and reads SNI and the certificate', () => {
    const line = `https 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.086 0.048 0.037 200 200 0 57 "GET https://www.example.com:443/a%20b?x=1&y=2 HTTP/1.1" "Mozilla/5.0 (X11; Linux) \\"quoted\\" Gecko/"x"1.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.3 ${TG} "Root=1-58337281-1d84f3d73c47ec4e58577259" "www.example.com" "arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012" 1 2018-07-02T22:22:48.364000Z "waf,forward" "-" "-" "10.0.0.1:80" "200" "-" "-" TID_abc`;
    const p = parseLine(line, ctx, 'aws.elb');
    expect(p.fields).toMatchObject({
      user_agent: { original: 'Mozilla/5.0 (X11; Linux) "quoted" Gecko/"x"1.0' },
      url: { path: '/a%20b', query: 'x=1&y=2', port: 443 },
      tls: { version: '1.3', client: { server_name: 'www.example.com' } },
      event: { duration: 171_000_000 },
      aws: {
        elb: {
          chosen_cert: {
            arn: 'arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012',
          },
          actions_executed: ['waf', 'forward'],
        },
      },
    });
  });

  it('reads a gRPC entry and a WebSocket entry', () => {
    const grpc = `grpcs 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.002 0.000 200 200 38 52 "POST https://10.0.0.1:443/helloworld.Greeter/SayHello HTTP/2.0" "grpc-java-netty/1.14.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 ${TG} "Root=1-5e0e9df8-123" "-" "-" 1 2018-07-02T22:22:48.364000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-" TID_1`;
    const ws = `ws 2018-11-30T22:22:48.364000Z app/my-loadbalancer/50dc6c495c0c9188 10.0.0.140:40914 10.0.1.192:8010 0.001 0.003 0.000 101 101 218 587 "GET http://10.0.0.30:80/ HTTP/1.1" "-" - - ${TG} "Root=1-5c01ab5e-123" "-" "-" 1 2018-11-30T22:22:48.364000Z "forward" "-" "-" "10.0.1.192:8010" "101" "-" "-" TID_2`;
    expect(parseLine(grpc, ctx, 'aws.elb').fields).toMatchObject({
      http: { request: { method: 'POST' }, version: '2.0' },
      url: { path: '/helloworld.Greeter/SayHello' },
      aws: { elb: { type: 'grpcs' } },
    });
    const w = parseLine(ws, ctx, 'aws.elb').fields!;
    expect(w).toMatchObject({
      http: { response: { status_code: 101 } },
      url: { scheme: 'http' },
      aws: { elb: { type: 'ws', target_status_code: 101 } },
    });
    expect(w).not.toHaveProperty('user_agent');
    expect(w).not.toHaveProperty('tls');
  });

  it('leaves out -1 timings and missing targets of a failed request, and keeps the error reason and classification', () => {
    const line = `https 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 [2001:db8::1]:2817 - -1 -1 -1 502 - 34 366 "GET https://www.example.com:443/ HTTP/1.1" "curl/8.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 - "Root=1-58337364-23a8c76965a2ef7629b185e3" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "LambdaInvalidResponse" "-" "-" "Ambiguous" "UndefinedContentLengthSemantics" TID_3`;
    const p = parseLine(line, ctx, 'aws.elb');
    const f = p.fields!;
    expect(f).toMatchObject({
      source: { ip: '2001:db8::1', port: 2817 },
      http: { response: { status_code: 502 } },
      aws: {
        elb: {
          matched_rule_priority: 0,
          error_reason: 'LambdaInvalidResponse',
          classification: 'Ambiguous',
          classification_reason: 'UndefinedContentLengthSemantics',
        },
      },
    });
    const elb = (f.aws as { elb: Record<string, unknown> }).elb;
    for (const absent of [
      'target',
      'target_status_code',
      'target_group',
      'request_processing_time',
      'target_port_list',
    ])
      expect(elb, absent).not.toHaveProperty(absent);
    expect(f.event).not.toHaveProperty('duration');
  });

  it('reads the transform fields and keeps fields past the last documented one in app', () => {
    const line = `http 2025-11-20T10:00:00.000000Z app/lb/1 10.0.0.1:1 10.0.0.2:80 0.001 0.001 0.001 200 200 1 2 "GET http://a:80/x HTTP/1.1" "ua" - - ${TG} "Root=1" "-" "-" 5 2025-11-20T10:00:00.000000Z "forward" "-" "-" "10.0.0.2:80" "200" "-" "-" TID_4 "new.example.com" "/y" "TransformSuccess" future-field`;
    const p = parseLine(line, ctx, 'aws.elb');
    expect(p.fields!.aws).toMatchObject({
      elb: {
        transformed_host: 'new.example.com',
        transformed_uri: '/y',
        request_transform_status: 'TransformSuccess',
      },
    });
    expect(p.app).toEqual({ unparsed_fields: ['future-field'] });
  });

  it('reads an older, shorter entry (before trace ids and conn_trace_id)', () => {
    const line =
      'http 2016-08-10T22:08:42.945958Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - -';
    const p = parseLine(line, ctx, 'aws.elb');
    expect(p.tags).toBeUndefined();
    expect(p.fields).toMatchObject({ http: { response: { status_code: 200 } } });
  });

  it('is a parse failure, never a throw, for a line of another format or a bad time', () => {
    for (const line of [
      'tcp 2018 x',
      'http not-a-time app/x 1:1 - 0 0 0 200 200 1 1 "GET / HTTP/1.1" "-" - -',
      '',
      '"',
    ]) {
      const p = parseLine(line, ctx, 'aws.elb');
      expect(p.tags, line).toEqual(['_parse_failure']);
      expect(p.dataset).toBe('text');
    }
  });
});

describe('aws.elb: Network Load Balancer (TLS listeners)', () => {
  it('reads every field of a TLS entry, milliseconds kept, bytes per direction, zone-less times as UTC', () => {
    const line =
      'tls 2.0 2018-12-20T02:59:40 net/my-network-loadbalancer/c6e77e28c25b2234 g3d4b5e8bb8464cd 72.21.218.154:51341 172.100.100.185:443 5 2 98 246 - arn:aws:acm:us-east-2:671290407336:certificate/2a108f19-aded-46b0-8493-c63eb1ef4a99 - ECDHE-RSA-AES128-SHA tlsv12 - my-network-loadbalancer-c6e77e28c25b2234.elb.us-east-2.amazonaws.com h2 h2 "h2","http/1.1" 2018-12-20T02:59:30';
    const p = parseLine(line, ctx, 'aws.elb');
    expect(p).toMatchObject({
      dataset: 'aws.elb',
      time: Date.UTC(2018, 11, 20, 2, 59, 40),
      fields: {
        source: { ip: '72.21.218.154', port: 51341, bytes: 98 },
        destination: { ip: '172.100.100.185', port: 443, bytes: 246 },
        tls: {
          version: '1.2',
          version_protocol: 'tls',
          cipher: 'ECDHE-RSA-AES128-SHA',
          next_protocol: 'h2',
          client: {
            server_name: 'my-network-loadbalancer-c6e77e28c25b2234.elb.us-east-2.amazonaws.com',
          },
        },
        event: {
          duration: 5_000_000,
          start: '2018-12-20T02:59:30.000Z',
          end: '2018-12-20T02:59:40.000Z',
        },
        aws: {
          elb: {
            type: 'tls',
            version: '2.0',
            name: 'net/my-network-loadbalancer/c6e77e28c25b2234',
            listener_id: 'g3d4b5e8bb8464cd',
            connection_time: { ms: 5 },
            tls_handshake_time: { ms: 2 },
            chosen_cert: {
              arn: 'arn:aws:acm:us-east-2:671290407336:certificate/2a108f19-aded-46b0-8493-c63eb1ef4a99',
            },
            alpn_be_protocol: 'h2',
            alpn_client_preference_list: ['h2', 'http/1.1'],
          },
        },
      },
    });
    const elb = (p.fields!.aws as { elb: Record<string, unknown> }).elb;
    expect(elb).not.toHaveProperty('incoming_tls_alert');
    expect(elb).not.toHaveProperty('tls_named_group');
  });
});
