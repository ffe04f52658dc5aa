// VPC Flow Logs records (docs/s3-sources.md, "aws.vpcflow"): default v2 or any custom format, read by the object's header line.
import type { Fields, ParsedLine } from '#shared/model.ts';
import { child } from '#shared/parse/merge.ts';
import type { LineParser } from '#shared/parse/types.ts';
import { int, present, put, snake } from './fields.ts';

/** The default format (version 2), what a record without a header is read as. */
export const VPC_FLOW_DEFAULT_FIELDS: readonly string[] = [
  'version',
  'account-id',
  'interface-id',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'action',
  'log-status',
];

/** Every documented field, v2 to v10: a header made only of these names is a VPC Flow Logs header. */
export const VPC_FLOW_FIELDS: ReadonlySet<string> = new Set([
  ...VPC_FLOW_DEFAULT_FIELDS,
  'vpc-id',
  'subnet-id',
  'instance-id',
  'tcp-flags',
  'type',
  'pkt-srcaddr',
  'pkt-dstaddr',
  'region',
  'az-id',
  'sublocation-type',
  'sublocation-id',
  'pkt-src-aws-service',
  'pkt-dst-aws-service',
  'flow-direction',
  'traffic-path',
  'ecs-cluster-arn',
  'ecs-cluster-name',
  'ecs-container-instance-arn',
  'ecs-container-instance-id',
  'ecs-container-id',
  'ecs-second-container-id',
  'ecs-service-name',
  'ecs-task-definition-arn',
  'ecs-task-arn',
  'ecs-task-id',
  'reject-reason',
  'resource-id',
  'encryption-status',
]);

/** IANA protocol numbers worth a name in `network.transport`. */
const TRANSPORTS: Record<string, string> = {
  '1': 'icmp',
  '2': 'igmp',
  '6': 'tcp',
  '17': 'udp',
  '47': 'gre',
  '50': 'esp',
  '51': 'ah',
  '58': 'ipv6-icmp',
  '132': 'sctp',
};

/** TCP flag bits a flow log ORs together over the aggregation interval. */
const TCP_FLAGS: [number, string][] = [
  [1, 'fin'],
  [2, 'syn'],
  [4, 'rst'],
  [8, 'psh'],
  [16, 'ack'],
  [32, 'urg'],
];

/** Epoch seconds a Date can hold (years 1970 to 275760), else undefined. */
function epochSeconds(v: string): number | undefined {
  const n = int(v);
  return n !== undefined && n >= 0 && n < 8.64e12 ? n : undefined;
}

const INTEGER = new Set(['version', 'packets', 'bytes', 'traffic-path', 'encryption-status']);

function place(name: string, v: string, out: Fields, vpc: Fields): void {
  switch (name) {
    case 'account-id':
      child(child(out, 'cloud'), 'account').id = v;
      return;
    case 'srcaddr':
      child(out, 'source').ip = v;
      return;
    case 'dstaddr':
      child(out, 'destination').ip = v;
      return;
    case 'srcport':
      put(child(out, 'source'), 'port', int(v));
      return;
    case 'dstport':
      put(child(out, 'destination'), 'port', int(v));
      return;
    case 'protocol': {
      const network = child(out, 'network');
      network.iana_number = v;
      put(network, 'transport', TRANSPORTS[v]);
      return;
    }
    case 'packets':
      put(child(out, 'network'), 'packets', int(v));
      return;
    case 'bytes':
      put(child(out, 'network'), 'bytes', int(v));
      return;
    case 'action':
      child(out, 'event').action = v;
      // ACCEPT and REJECT are what the security groups and network ACLs decided.
      child(out, 'event').outcome =
        v === 'ACCEPT' ? 'success' : v === 'REJECT' ? 'failure' : 'unknown';
      return;
    case 'instance-id':
      child(child(out, 'cloud'), 'instance').id = v;
      return;
    case 'region':
      child(out, 'cloud').region = v;
      return;
    case 'type':
      child(out, 'network').type = v.toLowerCase();
      return;
    case 'flow-direction':
      child(out, 'network').direction = v;
      return;
    case 'tcp-flags': {
      const bits = int(v);
      if (bits === undefined) return;
      vpc.tcp_flags = bits;
      vpc.tcp_flags_array = TCP_FLAGS.filter(([bit]) => (bits & bit) !== 0).map(([, n]) => n);
      return;
    }
  }
  vpc[snake(name)] = INTEGER.has(name) ? (int(v) ?? v) : v;
}

/**
 * A VPC Flow Logs record, its fields named by `ctx.source.s3.fields` (the object's header line: any
 * custom format, v2 to v10) or the default v2 format. `start` is `@timestamp`; the window is
 * `event.start` / `event.end` and `event.duration` (ns). Names this build does not know stay in `app`.
 *
 * @example
 * awsVpcflow.parse('2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK', ctx)
 */
export const awsVpcflow: LineParser = {
  dataset: 'aws.vpcflow',
  parse(line, ctx) {
    const names = ctx.source.s3?.fields ?? VPC_FLOW_DEFAULT_FIELDS;
    const values = line.split(' ');
    if (values.length !== names.length) return undefined;
    const out: Fields = {};
    const vpc: Fields = {};
    const app: Record<string, unknown> = {};
    let start: number | undefined;
    let end: number | undefined;
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const v = present(values[i]);
      if (v === undefined) continue;
      if (name === 'start') start = epochSeconds(v);
      else if (name === 'end') end = epochSeconds(v);
      else if (VPC_FLOW_FIELDS.has(name)) place(name, v, out, vpc);
      else put(app, name, v);
    }
    // A version-2 line of the default format must at least say it is one.
    if (!ctx.source.s3?.fields && vpc.version !== 2) return undefined;
    const event = child(out, 'event');
    if (start !== undefined) event.start = new Date(start * 1000).toISOString();
    if (end !== undefined) event.end = new Date(end * 1000).toISOString();
    if (start !== undefined && end !== undefined && end >= start)
      event.duration = (end - start) * 1e9;
    out.aws = { vpcflow: vpc };
    const parsed: ParsedLine = { dataset: 'aws.vpcflow', message: line, fields: out };
    if (start !== undefined) parsed.time = start * 1000;
    if (Object.keys(app).length) parsed.app = app;
    return parsed;
  },
};
