// The events AWS hands Lambda functions (Kinesis, SQS, CloudWatch Logs, EventBridge) and the on-failure records it writes, as documented.
import { createHash, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Discarded, StreamRecord } from './kinesis-shard.ts';
import type { QueueMessage } from './sqs-queue.ts';

export interface StreamSource {
  streamArn: string;
  shardId: string;
  region: string;
  /** The function's execution role, which Lambda puts in every record. */
  roleArn: string;
}

/**
 * A Kinesis event as Lambda's poller builds it from one shard's records.
 *
 * @example
 * const event = kinesisEvent(batch, { streamArn, shardId, region, roleArn });
 */
export function kinesisEvent(records: readonly StreamRecord[], source: StreamSource) {
  return {
    Records: records.map((r) => ({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: r.partitionKey,
        sequenceNumber: r.sequenceNumber,
        data: r.data,
        approximateArrivalTimestamp: r.arrivedAt / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${source.shardId}:${r.sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: source.roleArn,
      awsRegion: source.region,
      eventSourceARN: source.streamArn,
    })),
  };
}

/**
 * An SQS event as Lambda's SQS poller builds it from the messages one batch received.
 *
 * @example
 * const event = sqsEvent(messages, { queueArn, region: 'us-east-1' });
 */
export function sqsEvent(
  messages: readonly QueueMessage[],
  source: { queueArn: string; region: string },
) {
  return {
    Records: messages.map((m) => ({
      messageId: m.messageId,
      receiptHandle: m.receiptHandle,
      body: m.body,
      attributes: m.attributes,
      messageAttributes: m.messageAttributes,
      md5OfBody: m.md5OfBody,
      ...(m.md5OfMessageAttributes ? { md5OfMessageAttributes: m.md5OfMessageAttributes } : {}),
      eventSource: 'aws:sqs',
      eventSourceARN: source.queueArn,
      awsRegion: source.region,
    })),
  };
}

export interface LogEvent {
  id: string;
  timestamp: number;
  message: string;
}

export interface SubscriptionMessage {
  messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE';
  owner: string;
  logGroup: string;
  logStream: string;
  subscriptionFilters: string[];
  logEvents: LogEvent[];
}

/** The Lambda event of a subscription delivery: the message, gzipped, base64 in `awslogs.data`. */
export function cloudWatchLogsEvent(message: SubscriptionMessage) {
  return { awslogs: { data: gzipSync(JSON.stringify(message)).toString('base64') } };
}

/** What CloudWatch Logs sends a destination when a subscription filter is put on it. */
export function controlMessage(now = Date.now()): SubscriptionMessage {
  return {
    messageType: 'CONTROL_MESSAGE',
    owner: 'CloudwatchLogs',
    logGroup: '',
    logStream: '',
    subscriptionFilters: [],
    logEvents: [
      {
        id: '',
        timestamp: now,
        message: 'CWL CONTROL MESSAGE: Checking health of destination Lambda function.',
      },
    ],
  };
}

/**
 * A stable event id in CloudWatch's form (56 decimal digits), for events read back with GetLogEvents,
 * which returns none: the same event at the same place of its stream always gets the same id.
 */
export function logEventId(
  logGroup: string,
  logStream: string,
  index: number,
  timestamp: number,
): string {
  const digest = createHash('sha256')
    .update(`${logGroup}\0${logStream}\0${index}\0${timestamp}`)
    .digest('hex');
  return (BigInt(`0x${digest}`) % 10n ** 56n).toString().padStart(56, '0');
}

/** The CloudTrail event EventBridge delivers for a CreateLogGroup call. */
export function createLogGroupEvent(account: string, region: string, logGroupName: string) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.logs',
    account,
    time: new Date().toISOString(),
    region,
    resources: [],
    detail: {
      eventSource: 'logs.amazonaws.com',
      eventName: 'CreateLogGroup',
      awsRegion: region,
      requestParameters: { logGroupName },
      responseElements: null,
    },
  };
}

/** What a schedule rule delivers. */
export function scheduledEvent(account: string, region: string, ruleArn: string) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account,
    time: new Date().toISOString(),
    region,
    resources: [ruleArn],
    detail: {},
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The on-failure record of a discarded Kinesis batch: where it is in the stream, never its data. */
export function kinesisFailureRecord(
  batch: Discarded,
  context: { functionArn: string; shardId: string; streamArn: string },
) {
  const first = batch.records[0];
  const last = batch.records[batch.records.length - 1];
  return {
    requestContext: {
      requestId: randomUUID(),
      functionArn: context.functionArn,
      condition: batch.condition,
      approximateInvokeCount: batch.invokeCount,
    },
    responseContext: {
      statusCode: 200,
      executedVersion: '$LATEST',
      ...(batch.functionError ? { functionError: batch.functionError } : {}),
    },
    version: '1.0',
    timestamp: iso(Date.now()),
    KinesisBatchInfo: {
      shardId: context.shardId,
      startSequenceNumber: first?.sequenceNumber,
      endSequenceNumber: last?.sequenceNumber,
      approximateArrivalOfFirstRecord: first ? iso(first.arrivedAt) : undefined,
      approximateArrivalOfLastRecord: last ? iso(last.arrivedAt) : undefined,
      batchSize: batch.records.length,
      streamArn: context.streamArn,
    },
  };
}

/** The on-failure record of an asynchronous invocation past its retries: the event itself, and why. */
export function asyncFailureRecord(
  requestPayload: unknown,
  failure: {
    functionArn: string;
    requestId: string;
    invokeCount: number;
    error: string;
    condition: 'RetriesExhausted' | 'EventAgeExceeded';
  },
) {
  return {
    version: '1.0',
    timestamp: iso(Date.now()),
    requestContext: {
      requestId: failure.requestId,
      functionArn: `${failure.functionArn}:$LATEST`,
      condition: failure.condition,
      approximateInvokeCount: failure.invokeCount,
    },
    requestPayload,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: 'Error', errorMessage: failure.error },
  };
}
