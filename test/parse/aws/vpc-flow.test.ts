// VPC Flow Logs records: the default v2 format and custom formats of versions 3 to 8, read by their header.
import { describe, expect, it } from 'vitest';
import { parseLine } from '#shared/parse/index.ts';
import type { ParseContext } from '#shared/parse/types.ts';

const ctxOf = (header?: string): ParseContext => ({
  eventTime: Date.UTC(2025, 10, 20, 12),
  source: {
    s3: { bucket: 'flow', key: 'AWSLogs/123456789010/vpcflowlogs/x', fields: header?.split(' ') },
  },
});

describe('aws.vpcflow', () => {
  it('reads a default-format (v2) record: addresses, ports, protocol, window and decision', () => {
    const line =
      '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
    const p = parseLine(line, ctxOf(), 'aws.vpcflow');
    expect(p).toMatchObject({
      dataset: 'aws.vpcflow',
      time: 1418530010000,
      message: line,
      fields: {
        cloud: { account: { id: '123456789010' } },
        source: { ip: '172.31.16.139', port: 20641 },
        destination: { ip: '172.31.16.21', port: 22 },
        network: { iana_number: '6', transport: 'tcp', packets: 20, bytes: 4249 },
        event: {
          action: 'ACCEPT',
          outcome: 'success',
          start: '2014-12-14T04:06:50.000Z',
          end: '2014-12-14T04:07:50.000Z',
          duration: 60e9,
        },
        aws: { vpcflow: { version: 2, interface_id: 'eni-1235b8ca123456789', log_status: 'OK' } },
      },
    });
  });

  it('leaves out the - fields of a NODATA record', () => {
    const p = parseLine(
      '2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA',
      ctxOf(),
      'aws.vpcflow',
    );
    expect(p.fields).toMatchObject({ aws: { vpcflow: { log_status: 'NODATA' } } });
    expect(p.fields).not.toHaveProperty('source');
    expect(p.fields!.event).not.toHaveProperty('action');
  });

  it('reads a v3-v5 custom format by its header: packet addresses, TCP flags, region, direction, traffic path', () => {
    const header =
      'version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status region az-id sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path';
    const line =
      '5 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-1235b8ca123456789 123456789012 IPv6 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 6 1180 15 1418530010 1418530070 REJECT 19 OK us-west-2 usw2-az2 wavelength wlid04 AMAZON S3 egress 8';
    const p = parseLine(line, ctxOf(header), 'aws.vpcflow');
    expect(p.tags).toBeUndefined();
    expect(p.fields).toMatchObject({
      cloud: { region: 'us-west-2', instance: { id: 'i-01234567890123456' } },
      network: { type: 'ipv6', direction: 'egress', transport: 'tcp' },
      event: { action: 'REJECT', outcome: 'failure' },
      source: { ip: '2001:db8:1234:a100:8d6e:3477:df66:f105', port: 34892 },
      aws: {
        vpcflow: {
          version: 5,
          vpc_id: 'vpc-abcdefab012345678',
          subnet_id: 'subnet-aaaaaaaa012345678',
          pkt_srcaddr: '2001:db8:1234:a100:8d6e:3477:df66:f105',
          tcp_flags: 19,
          tcp_flags_array: ['fin', 'syn', 'ack'],
          az_id: 'usw2-az2',
          sublocation_type: 'wavelength',
          sublocation_id: 'wlid04',
          pkt_src_aws_service: 'AMAZON',
          pkt_dst_aws_service: 'S3',
          traffic_path: 8,
        },
      },
    });
  });

  it('reads v7 ECS and v8 reject-reason fields, and keeps unknown header names in app', () => {
    const header = 'srcaddr dstaddr ecs-cluster-name ecs-task-id reject-reason some-future-field';
    const p = parseLine('10.0.0.1 10.0.0.2 prod 0123abcd BPA v', ctxOf(header), 'aws.vpcflow');
    expect(p.fields!.aws).toEqual({
      vpcflow: { ecs_cluster_name: 'prod', ecs_task_id: '0123abcd', reject_reason: 'BPA' },
    });
    expect(p.app).toEqual({ 'some-future-field': 'v' });
    // No start: the transport's time stands in.
    expect(p.time).toBeUndefined();
  });

  it('is a parse failure when the field count does not match the header, or a header-less line is not v2', () => {
    expect(parseLine('2 123 eni-1', ctxOf(), 'aws.vpcflow').tags).toEqual(['_parse_failure']);
    expect(parseLine('3 a b c d e f g h i 1 2 ACCEPT OK', ctxOf(), 'aws.vpcflow').tags).toEqual([
      '_parse_failure',
    ]);
    expect(parseLine('1 2', ctxOf('srcaddr'), 'aws.vpcflow').tags).toEqual(['_parse_failure']);
  });
});
