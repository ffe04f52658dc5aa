import { describe, expect, it } from 'vitest';
import { sqsEvent } from '#scripts/dev/lambda-events.ts';
import { queueAttributes, queueMessage } from '#scripts/dev/sqs-poller.ts';

describe('queueAttributes', () => {
  it('reads the visibility timeout and the redrive policy as GetQueueAttributes returns them', () => {
    const dlq = 'arn:aws:sqs:us-east-1:123456789012:logferry-local-LogferryS3DeadLetterQueue-X';
    expect(
      queueAttributes({
        VisibilityTimeout: '1800',
        // SQS returns maxReceiveCount as a number or as a string, depending on who set it.
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq, maxReceiveCount: '5' }),
      }),
    ).toEqual({ visibilitySeconds: 1800, maxReceiveCount: 5, deadLetterArn: dlq });
  });

  it("has no receive limit without a redrive policy, or with one that names no queue, and SQS's default visibility", () => {
    const cases: Record<string, string>[] = [
      {},
      { RedrivePolicy: 'not json' },
      { RedrivePolicy: JSON.stringify({ maxReceiveCount: 5 }) },
      { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:x', maxReceiveCount: 0 }) },
    ];
    for (const attributes of cases)
      expect(queueAttributes(attributes), JSON.stringify(attributes)).toMatchObject({
        visibilitySeconds: 30,
        maxReceiveCount: -1,
      });
  });
});

describe('queueMessage and sqsEvent', () => {
  it("build the record Lambda's SQS poller hands the function from a received message", () => {
    const message = queueMessage({
      MessageId: 'm-1',
      ReceiptHandle: 'rh-1',
      Body: '{"Records":[]}',
      MD5OfBody: 'abc',
      Attributes: { ApproximateReceiveCount: '2', SentTimestamp: '1764583200000' },
      MessageAttributes: {
        origin: { DataType: 'String', StringValue: 's3' },
        blob: { DataType: 'Binary', BinaryValue: Buffer.from('hi') },
      },
    });
    const event = sqsEvent([message], {
      queueArn: 'arn:aws:sqs:us-east-1:123456789012:q',
      region: 'us-east-1',
    });
    expect(event.Records).toEqual([
      {
        messageId: 'm-1',
        receiptHandle: 'rh-1',
        body: '{"Records":[]}',
        attributes: { ApproximateReceiveCount: '2', SentTimestamp: '1764583200000' },
        messageAttributes: {
          origin: {
            stringValue: 's3',
            binaryValue: undefined,
            stringListValues: [],
            binaryListValues: [],
            dataType: 'String',
          },
          blob: {
            stringValue: undefined,
            binaryValue: 'aGk=',
            stringListValues: [],
            binaryListValues: [],
            dataType: 'Binary',
          },
        },
        md5OfBody: 'abc',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:q',
        awsRegion: 'us-east-1',
      },
    ]);
  });
});
