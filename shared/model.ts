// Types that flow through the pipeline: input events, parsed lines, output documents and outcomes.

/** Where an input event came from; copied into `aws.*`, `cloud.*`, `container.*` fields. */
export interface EventSource {
  logGroup?: string;
  logStream?: string;
  owner?: string;
  region?: string;
  /** Wrapper metadata (FireLens, Docker, Kubernetes) already shaped as ECS fields. */
  wrapper?: Record<string, unknown>;
  /**
   * Kinesis data that is not a CloudWatch Logs payload: `logGroup` then holds the stream name (routes and
   * archive keys use it) and the document gets `aws.kinesis.*` instead of `aws.cloudwatch.*`.
   */
  kinesis?: { stream: string; shardId: string; partitionKey: string; sequenceNumber: string };
  /**
   * A line of an S3 object (docs/s3-sources.md): `logGroup` then holds the bucket and `logStream` the
   * key (routes and archive keys use them) and the document gets `aws.s3.*` instead of `aws.cloudwatch.*`.
   */
  s3?: S3ObjectSource;
  /** The parser the transport names for every line (an S3 object's key layout or content); a route's parser wins. */
  dataset?: Dataset;
}

/** The S3 object a line came from, and what its header said about the lines after it. */
export interface S3ObjectSource {
  bucket: string;
  key: string;
  versionId?: string;
  etag?: string;
  /** Field names from the object's header (CloudFront `#Fields:`, VPC Flow Logs' first line). */
  fields?: readonly string[];
}

/** One log line as delivered, before parsing. */
export interface InputEvent {
  /** Stable id: the CloudWatch event id, or a hash of stream, shard, sequence number and line index. */
  id: string;
  /** Epoch milliseconds given by the transport (CloudWatch ingestion time, Kinesis arrival). */
  timestamp: number;
  message: string;
  source: EventSource;
  /** The delivery unit this event belongs to: outcomes are reported per record. */
  recordId: string;
}

export type Dataset =
  | 'nginx.access'
  | 'nginx.error'
  | 'apache.access'
  | 'apache.error'
  | 'haproxy.http'
  | 'haproxy.tcp'
  | 'aws.lambda'
  | 'aws.elb'
  | 'aws.cloudfront'
  | 'aws.s3access'
  | 'aws.vpcflow'
  | 'aws.cloudtrail'
  | 'aws.waf'
  | 'app.json'
  | 'app.spring'
  | 'app.logback'
  | 'app.python'
  | 'syslog'
  | 'text';

export const DATASETS: readonly Dataset[] = [
  'nginx.access',
  'nginx.error',
  'apache.access',
  'apache.error',
  'haproxy.http',
  'haproxy.tcp',
  'aws.lambda',
  'aws.elb',
  'aws.cloudfront',
  'aws.s3access',
  'aws.vpcflow',
  'aws.cloudtrail',
  'aws.waf',
  'app.json',
  'app.spring',
  'app.logback',
  'app.python',
  'syslog',
  'text',
];

export type LogType = 'access' | 'error' | 'application';
export const LOG_TYPES: readonly LogType[] = ['access', 'error', 'application'];

export type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** A nested ECS-shaped JSON object. */
export type Fields = { [key: string]: unknown };

/** What a parser extracts from one line. */
export interface ParsedLine {
  dataset: Dataset;
  /** Epoch milliseconds of the line's own time, when the line has one. */
  time?: number;
  level?: Level;
  /** The human message; defaults to the whole line. */
  message?: string;
  /** ECS fields (nested), e.g. `{ http: { request: { method: 'GET' } } }`. */
  fields?: Fields;
  /** Every other field of a structured line; indexed under `app` as a flat_object. */
  app?: Record<string, unknown>;
  tags?: string[];
}

/** The document written to OpenSearch and the archive (docs/architecture.md, "Document"). */
export interface LogDocument extends Fields {
  '@timestamp': string;
  message: string;
  event: { id: string; dataset: Dataset; original?: string; [key: string]: unknown };
  log: { type: LogType; level?: Level; [key: string]: unknown };
  tags?: string[];
}

/** A document with where it goes and where it came from. */
export interface Routed {
  doc: LogDocument;
  index: string;
  /** The raw line, kept whole in the archive even when the index copy is truncated. */
  raw: string;
  recordId: string;
  /** Log group (or stream name for Kinesis data) used in archive keys. */
  group: string;
}
