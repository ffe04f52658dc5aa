// Which AWS service wrote an S3 object, from its key layout or its first line, and which of its lines are headers.
import type { Dataset, EventSource } from '#shared/model.ts';
import type { LineParser } from '#shared/parse/types.ts';
import { awsElb } from './elb.ts';
import { awsS3access } from './s3-access.ts';
import { awsVpcflow, VPC_FLOW_FIELDS } from './vpc-flow.ts';

/** How an object is read: line by line, as a CloudTrail `Records` array, or not at all. */
export interface ObjectLayout {
  /** The parser every line is pinned to, when the layout names one. */
  dataset?: Dataset;
  /** CloudTrail log files are one JSON object whose `Records` array holds the events. */
  records?: boolean;
  /** Set for objects that hold no log lines (digests, test files): acknowledged, nothing indexed. */
  skip?: string;
}

// CloudFront legacy standard logs: `<prefix>/<distribution id>.YYYY-MM-DD-HH.<unique>.gz`.
const CLOUDFRONT_FILE = /^E[A-Z0-9]{5,}\.\d{4}-\d{2}-\d{2}-\d{2}\.[0-9a-f]+(?:\.gz)?$/;
// S3 server access logs: `<prefix>YYYY-mm-DD-HH-MM-SS-<unique>` (simple and partitioned prefixes alike).
const S3_ACCESS_FILE = /^\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9A-F]{16}$/;

/**
 * The layout an object's key names (`AWSLogs/<account>/elasticloadbalancing/…`, `…/CloudTrail/…`,
 * `…/vpcflowlogs/…`, `…/WAFLogs/…`, CloudFront and S3 access log file names), or `{}` when the key
 * says nothing: the first line decides then ({@link layoutFromLine}).
 *
 * @example
 * layoutFromKey('AWSLogs/123456789012/CloudTrail/us-east-1/2025/11/20/x.json.gz') // { dataset: 'aws.cloudtrail', records: true }
 */
export function layoutFromKey(key: string): ObjectLayout {
  const file = key.slice(key.lastIndexOf('/') + 1);
  const segments = key.split('/');
  const has = (s: string) => segments.includes(s);
  if (has('CloudTrail-Digest'))
    return { skip: 'CloudTrail digest file (integrity hashes, no events)' };
  if (has('CloudTrail') || has('CloudTrail-Insight'))
    return { dataset: 'aws.cloudtrail', records: true };
  if (has('elasticloadbalancing')) {
    if (file.includes('ELBAccessLogTestFile')) return { skip: 'ELB access log test file' };
    // Connection and health check logs share the folder but not the access log format.
    if (file.startsWith('conn_log.') || file.includes('health_check_log')) return {};
    return { dataset: 'aws.elb' };
  }
  if (has('vpcflowlogs')) return { dataset: 'aws.vpcflow' };
  if (has('WAFLogs')) return { dataset: 'aws.waf' };
  if (CLOUDFRONT_FILE.test(file)) return { dataset: 'aws.cloudfront' };
  if (S3_ACCESS_FILE.test(file)) return { dataset: 'aws.s3access' };
  return {};
}

const SNIFFERS: LineParser[] = [awsElb, awsS3access, awsVpcflow];

/**
 * The layout an object's first line shows when its key did not tell: a CloudFront header, a
 * CloudTrail file, a WAF record, a VPC Flow Logs header, or a line one of the space-separated
 * parsers reads.
 *
 * @example
 * layoutFromLine('#Version: 1.0') // { dataset: 'aws.cloudfront' }
 */
export function layoutFromLine(line: string, source: EventSource): ObjectLayout {
  if (line.startsWith('#Version:') || line.startsWith('#Fields:'))
    return { dataset: 'aws.cloudfront' };
  if (/^\s*\{\s*"Records"\s*:/.test(line.slice(0, 64)))
    return { dataset: 'aws.cloudtrail', records: true };
  if (line.charCodeAt(0) === 0x7b) {
    return line.includes('"webaclId"') && line.includes('"httpRequest"')
      ? { dataset: 'aws.waf' }
      : {};
  }
  if (vpcFlowHeader(line)) return { dataset: 'aws.vpcflow' };
  const ctx = { eventTime: Date.now(), source };
  for (const parser of SNIFFERS) if (parser.parse(line, ctx)) return { dataset: parser.dataset };
  return {};
}

function vpcFlowHeader(line: string): string[] | undefined {
  const names = line.split(' ');
  return names.length > 0 && names.every((n) => VPC_FLOW_FIELDS.has(n)) ? names : undefined;
}

/**
 * What a line of an object of `dataset` is: a header naming the fields of the lines after it
 * (CloudFront `#Fields:`, VPC Flow Logs' first line), another comment to pass over (`#Version:`),
 * or a log line (`undefined`).
 *
 * @example
 * headerLine('aws.cloudfront', '#Fields: date time c-ip') // { fields: ['date', 'time', 'c-ip'] }
 */
export function headerLine(
  dataset: Dataset | undefined,
  line: string,
): { fields?: string[] } | undefined {
  if (dataset === 'aws.cloudfront' && line.charCodeAt(0) === 0x23 /* # */) {
    if (!line.startsWith('#Fields:')) return {};
    return { fields: line.slice(8).trim().split(/\s+/).filter(Boolean) };
  }
  if (dataset === 'aws.vpcflow' && line.charCodeAt(0) > 0x39) {
    const fields = vpcFlowHeader(line);
    if (fields) return { fields };
  }
  return undefined;
}
