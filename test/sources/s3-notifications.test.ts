// Which objects an event announces: SQS-wrapped S3 and EventBridge notifications, through SNS, direct events, resumes, and what is none of these.
import { describe, expect, it } from 'vitest';
import { decodeS3Key, resumeMessage, s3Deliveries } from '#shared/sources/s3-notifications.ts';
import { s3Notification, sqsEvent } from '#test/helpers/s3-objects.ts';

const eventBridge = {
  version: '0',
  id: 'eb-1',
  'detail-type': 'Object Created',
  source: 'aws.s3',
  account: '123456789012',
  time: '2025-11-20T10:05:00Z',
  region: 'eu-west-1',
  resources: ['arn:aws:s3:::logs'],
  detail: {
    version: '0',
    bucket: { name: 'logs' },
    object: { key: 'a b/c+d.log.gz', size: 10, etag: 'e1', 'version-id': 'v1', sequencer: '01' },
    reason: 'PutObject',
  },
};

describe('s3Deliveries', () => {
  it('reads S3 notifications in SQS messages, decoding URL-encoded keys', () => {
    const { trigger, deliveries } = s3Deliveries(
      sqsEvent([s3Notification('logs', 'a b/c+d.log.gz')]),
      0,
    );
    expect(trigger).toBe('sqs');
    expect(deliveries).toMatchObject([
      {
        recordId: 'm1',
        objects: [
          {
            bucket: 'logs',
            key: 'a b/c+d.log.gz',
            etag: 'etag-1',
            region: 'us-east-1',
            eventTime: Date.parse('2025-11-20T10:05:00.000Z'),
          },
        ],
      },
    ]);
  });

  it('reads EventBridge events sent to SQS or invoking directly, keys as they are, and S3 notifications through SNS', () => {
    const sns = JSON.stringify({
      Type: 'Notification',
      MessageId: 'x',
      Message: s3Notification('logs', 'k%2Bx'),
    });
    const { deliveries } = s3Deliveries(sqsEvent([JSON.stringify(eventBridge), sns]), 0);
    expect(deliveries.map((d) => d.objects[0])).toMatchObject([
      { bucket: 'logs', key: 'a b/c+d.log.gz', versionId: 'v1', etag: 'e1', region: 'eu-west-1' },
      { bucket: 'logs', key: 'k%2Bx' },
    ]);
    expect(s3Deliveries(eventBridge, 0)).toMatchObject({
      trigger: 'eventbridge',
      deliveries: [{ recordId: 'eb-1', objects: [{ key: 'a b/c+d.log.gz' }] }],
    });
  });

  it('reads a direct S3 event, one delivery per record, and ignores ObjectRemoved records', () => {
    const records = JSON.parse(s3Notification('logs', 'x.log')).Records;
    const removed = { ...records[0], eventName: 'ObjectRemoved:Delete' };
    const { trigger, deliveries } = s3Deliveries({ Records: [records[0], removed] }, 0);
    expect(trigger).toBe('s3');
    expect(deliveries.map((d) => d.objects.length)).toEqual([1, 0]);
    expect(deliveries[0]!.recordId).toBe('s3://logs/x.log#etag-1');
  });

  it('acknowledges the S3 test event, and marks messages that announce nothing readable', () => {
    const { deliveries } = s3Deliveries(
      sqsEvent([
        JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent' }),
        'not json',
        '{"hello":1}',
        '[]',
      ]),
      0,
    );
    expect(deliveries[0]).toEqual({ recordId: 'm1', objects: [] });
    for (const d of deliveries.slice(1)) expect(d.error, d.raw).toMatch(/not an S3 or EventBridge/);
  });

  it('round-trips a resume message, and refuses a malformed one', () => {
    const ref = { bucket: 'logs', key: 'k.gz', etag: 'e', eventTime: 5 };
    const marker = { line: 10, end: 999, gzip: true, dataset: 'aws.elb' as const };
    const { deliveries } = s3Deliveries(
      sqsEvent([resumeMessage(ref, marker), '{"logferryResume":{"object":{}}}']),
      0,
    );
    expect(deliveries[0]!.objects).toEqual([{ ...ref, resume: marker }]);
    expect(deliveries[1]!.error).toBeDefined();
  });

  it('decodes keys and keeps a malformed escape as it is', () => {
    expect(decodeS3Key('red+flower%20x.jpg')).toBe('red flower x.jpg');
    expect(decodeS3Key('bad%zz')).toBe('bad%zz');
  });
});
