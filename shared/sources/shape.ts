// Tells which trigger an event file belongs to, so CLIs can hand it to the right handler.

export type EventShape =
  | 'cloudwatch-logs'
  | 'cloudwatch-logs-message'
  | 'kinesis'
  | 's3'
  | 'unknown';

const S3_SOURCES = new Set(['aws:sqs', 'aws:s3']);

export function eventShape(value: unknown): EventShape {
  if (typeof value !== 'object' || value === null) return 'unknown';
  const v = value as Record<string, unknown>;
  if (typeof v.awslogs === 'object' && v.awslogs !== null) return 'cloudwatch-logs';
  if (v.messageType === 'DATA_MESSAGE' || v.messageType === 'CONTROL_MESSAGE')
    return 'cloudwatch-logs-message';
  if (
    Array.isArray(v.Records) &&
    v.Records.some((r) => (r as { eventSource?: string })?.eventSource === 'aws:kinesis')
  ) {
    return 'kinesis';
  }
  // logferry's SQS queue carries S3 notifications only (docs/s3-sources.md).
  if (
    Array.isArray(v.Records) &&
    v.Records.some((r) => S3_SOURCES.has((r as { eventSource?: string })?.eventSource ?? ''))
  )
    return 's3';
  if (v['detail-type'] === 'Object Created' && v.source === 'aws.s3') return 's3';
  return 'unknown';
}
