import { describe, expect, it } from 'vitest';
import { checkTemplate, type FunctionState, type Template } from '#scripts/package-check.ts';

const FUNCTIONS: Record<string, FunctionState> = {
  ingestCloudwatch: { handler: 'functions/cloudwatch-logs.handler', events: [] },
  ingestKinesis: { handler: 'functions/kinesis.handler', events: [{ stream: {} }] },
  subscribeLogGroups: { handler: 'functions/subscribe.handler', events: [] },
};

const ENV = {
  Variables: {
    OPENSEARCH_URL: 'https://search.example',
    ARCHIVE_BUCKET: 'b',
    SLACK_WEBHOOK_PARAM: '/p',
    LOGFERRY_STAGE: 'dev',
    NODE_OPTIONS: '--enable-source-maps',
  },
};

const allow = (Action: string | string[], Resource: unknown = 'arn:aws:s3:::b/archive/*') => ({
  Effect: 'Allow',
  Action,
  Resource,
});

function role(...Statement: unknown[]) {
  return {
    Type: 'AWS::IAM::Role',
    Properties: { Policies: [{ PolicyName: 'p', PolicyDocument: { Statement } }] },
  };
}

const INGEST = [
  allow(['s3:PutObject']),
  allow(['es:ESHttpPost', 'es:ESHttpPut'], 'arn:aws:es:r:1:domain/d/*'),
  allow(['ssm:GetParameter']),
  allow('sqs:SendMessage', 'arn:aws:sqs:r:1:q'),
];

/** An alarm on the sum of one Lambda metric of the functions named by their logical ids. */
function lambdaAlarm(metric: string, lambdaIds: string[]) {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      Metrics: lambdaIds.map((id) => ({
        MetricStat: {
          Metric: {
            Namespace: 'AWS/Lambda',
            MetricName: metric,
            Dimensions: [{ Name: 'FunctionName', Value: { Ref: id } }],
          },
        },
      })),
    },
  };
}

const LAMBDAS = [
  'IngestCloudwatchLambdaFunction',
  'IngestKinesisLambdaFunction',
  'SubscribeLogGroupsLambdaFunction',
];

/** A template shaped as serverless.yml packages it, each function with its own role. */
function template(): Template & {
  Resources: Record<string, { Properties?: Record<string, unknown> }>;
} {
  const fn = (roleId: string) => ({
    Type: 'AWS::Lambda::Function',
    Properties: { Environment: ENV, Role: { 'Fn::Sub': `\${${roleId}.Arn}` } },
  });
  const evConf = {
    Type: 'AWS::Lambda::EventInvokeConfig',
    Properties: { MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Destination: 'q' } } },
  };
  return {
    Resources: {
      IngestCloudwatchLambdaFunction: fn('IngestCloudwatchRole'),
      IngestCloudwatchLambdaEvConf: evConf,
      IngestCloudwatchRole: role(...INGEST),
      IngestKinesisLambdaFunction: fn('IngestKinesisRole'),
      IngestKinesisEventSourceMappingKinesisLogferryLogStream: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: {
          MaximumRetryAttempts: 10,
          BisectBatchOnFunctionError: true,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          DestinationConfig: { OnFailure: { Destination: 'q' } },
        },
      },
      IngestKinesisRole: role(
        ...INGEST,
        allow('kinesis:GetRecords', 'arn:aws:kinesis:r:1:stream/s'),
      ),
      SubscribeLogGroupsLambdaFunction: fn('SubscribeLogGroupsRole'),
      SubscribeLogGroupsLambdaEvConf: evConf,
      SubscribeLogGroupsRole: role(
        allow(
          ['logs:PutSubscriptionFilter', 'logs:DescribeSubscriptionFilters'],
          'arn:aws:logs:r:1:log-group:*',
        ),
        allow('sqs:SendMessage', 'arn:aws:sqs:r:1:q'),
      ),
      LogferryArchiveBucket: {
        Type: 'AWS::S3::Bucket',
        DeletionPolicy: 'Retain',
        Properties: {
          BucketEncryption: {},
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
          LifecycleConfiguration: { Rules: [{ Prefix: 'archive/', Transitions: [{}] }] },
        },
      },
      LogferryArchiveBucketPolicy: { Type: 'AWS::S3::BucketPolicy' },
      LogferryFailureQueue: { Type: 'AWS::SQS::Queue' },
      LogferryAlarmTopic: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: { Ref: 'K' } } },
      LogferryErrorsAlarm: lambdaAlarm('Errors', LAMBDAS),
      LogferryThrottlesAlarm: lambdaAlarm('Throttles', LAMBDAS),
    },
    Outputs: { ArchiveBucketName: {}, FailureQueueUrl: {}, LogStreamArn: {} },
  } as never;
}

describe('checkTemplate', () => {
  it('passes a template with per-function roles and a Kinesis mapping that has its failure handling', () => {
    // The stream function has no event invoke configuration: its retries are the mapping's.
    expect(checkTemplate(FUNCTIONS, template())).toEqual({ problems: [], notes: [] });
  });

  it('reports a mapping without its on-failure destination or retry limit', () => {
    const t = template();
    const mapping = t.Resources.IngestKinesisEventSourceMappingKinesisLogferryLogStream!;
    mapping.Properties = { BisectBatchOnFunctionError: true };
    const { problems } = checkTemplate(FUNCTIONS, t);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/no on-failure destination/),
        expect.stringMatching(/sets no MaximumRetryAttempts/),
        expect.stringMatching(/does not take partial batch responses/),
      ]),
    );
  });

  it('reports an ingest role that can put subscription filters, and a role two functions share', () => {
    const t = template();
    t.Resources.IngestCloudwatchRole = role(
      ...INGEST,
      allow('logs:PutSubscriptionFilter', 'arn:aws:logs:r:1:log-group:*'),
    );
    t.Resources.SubscribeLogGroupsLambdaFunction!.Properties!.Role = {
      'Fn::GetAtt': ['IngestKinesisRole', 'Arn'],
    };
    const { problems } = checkTemplate(FUNCTIONS, t);
    expect(problems).toEqual(
      expect.arrayContaining([
        'ingestCloudwatch: IngestCloudwatchRole grants logs:PutSubscriptionFilter, which it never uses',
        'subscribeLogGroups shares IngestKinesisRole with ingestKinesis: each function needs its own role',
      ]),
    );
  });

  it('counts the grants of separate policies attached to a role', () => {
    const t = template();
    t.Resources.PassRole = {
      Type: 'AWS::IAM::Policy',
      Properties: {
        Roles: [{ Ref: 'IngestKinesisRole' }],
        PolicyDocument: { Statement: [allow('iam:PassRole', 'arn:aws:iam::1:role/r')] },
      },
    } as never;
    expect(checkTemplate(FUNCTIONS, t).problems).toEqual([
      'ingestKinesis: IngestKinesisRole grants iam:PassRole, which it never uses',
    ]);
  });

  it("allows '*' for the VPC network-interface actions only", () => {
    const t = template();
    t.Resources.Vpc = {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        PolicyDocument: {
          Statement: [allow(['ec2:CreateNetworkInterface', 'ec2:DescribeSubnets'], '*')],
        },
      },
    } as never;
    expect(checkTemplate(FUNCTIONS, t).problems).toEqual([]);
    t.Resources.Wide = {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        PolicyDocument: { Statement: [allow(['ec2:CreateNetworkInterface', 's3:PutObject'], '*')] },
      },
    } as never;
    expect(checkTemplate(FUNCTIONS, t).problems).toEqual([
      expect.stringMatching(/^Wide has a wildcard grant/),
    ]);
  });

  /** The template with ingestS3 fed by an S3 notification queue, wired as serverless.yml wires it. */
  function s3Template() {
    const t = template();
    const queueArn = { 'Fn::GetAtt': ['Queue', 'Arn'] };
    const queueAlarm = (metric: string, queueId: string) => ({
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        Namespace: 'AWS/SQS',
        MetricName: metric,
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      },
    });
    Object.assign(t.Resources, {
      IngestS3LambdaFunction: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Timeout: 300,
          Environment: { Variables: { ...ENV.Variables, S3_QUEUE_URL: { Ref: 'Queue' } } },
          Role: { 'Fn::Sub': `\${IngestS3Role.Arn}` },
        },
      },
      IngestS3EventSourceMappingSQSQueue: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: {
          EventSourceArn: queueArn,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
        },
      },
      Queue: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          VisibilityTimeout: 1800,
          RedrivePolicy: {
            deadLetterTargetArn: { 'Fn::GetAtt': ['DeadLetters', 'Arn'] },
            maxReceiveCount: 5,
          },
        },
      },
      DeadLetters: { Type: 'AWS::SQS::Queue' },
      QueuePolicy: {
        Type: 'AWS::SQS::QueuePolicy',
        Properties: {
          Queues: [{ Ref: 'Queue' }],
          PolicyDocument: {
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 's3.amazonaws.com' },
                Action: 'sqs:SendMessage',
              },
            ],
          },
        },
      },
      IngestS3Role: role(
        ...INGEST,
        allow(['s3:GetObject'], 'arn:aws:s3:::src/*'),
        allow(
          ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:SendMessage'],
          [queueArn],
        ),
      ),
      QueueAgeAlarm: queueAlarm('ApproximateAgeOfOldestMessage', 'Queue'),
      DeadLetterAlarm: queueAlarm('ApproximateNumberOfMessagesVisible', 'DeadLetters'),
      LogferryErrorsAlarm: lambdaAlarm('Errors', [...LAMBDAS, 'IngestS3LambdaFunction']),
      LogferryThrottlesAlarm: lambdaAlarm('Throttles', [...LAMBDAS, 'IngestS3LambdaFunction']),
    });
    (t.Outputs as Record<string, unknown>).S3SourceQueueArn = {};
    return t;
  }
  const S3_FUNCTIONS = {
    ...FUNCTIONS,
    ingestS3: { handler: 'functions/s3.handler', events: [{ sqs: {} }] },
  };

  it('passes an SQS-fed function wired as serverless.yml wires ingestS3', () => {
    expect(checkTemplate(S3_FUNCTIONS, s3Template()).problems).toEqual([]);
  });

  it("takes an SQS-fed function's failure handling from its queue's redrive policy", () => {
    const t = s3Template();
    t.Resources.Queue!.Properties = { VisibilityTimeout: 1800 };
    expect(checkTemplate(S3_FUNCTIONS, t).problems).toEqual([
      'ingestS3: Queue has no RedrivePolicy: a failing message would come back forever',
    ]);
    t.Resources.Queue!.Properties = { RedrivePolicy: { deadLetterTargetArn: 'arn:aws:sqs:r:1:x' } };
    expect(checkTemplate(S3_FUNCTIONS, t).problems).toEqual([
      "ingestS3: Queue's RedrivePolicy names no dead-letter queue of the stack",
      "ingestS3: Queue's RedrivePolicy has no maxReceiveCount",
      "ingestS3: Queue's VisibilityTimeout (30 s) is shorter than the function's timeout (300 s)",
    ]);
  });

  it("reports the poller's and the resume queue's grants missing on the very queue the function reads", () => {
    const t = s3Template();
    t.Resources.IngestS3Role = role(
      ...INGEST,
      allow(['s3:GetObject'], 'arn:aws:s3:::src/*'),
      // On another queue: not what the mapping reads.
      allow(
        ['sqs:ReceiveMessage', 'sqs:DeleteMessage'],
        [{ 'Fn::GetAtt': ['DeadLetters', 'Arn'] }],
      ),
      allow(['sqs:GetQueueAttributes'], [{ 'Fn::GetAtt': ['Queue', 'Arn'] }]),
    ) as never;
    expect(checkTemplate(S3_FUNCTIONS, t).problems).toEqual([
      'ingestS3: IngestS3Role does not grant sqs:ReceiveMessage on Queue',
      'ingestS3: IngestS3Role does not grant sqs:DeleteMessage on Queue',
      'ingestS3: IngestS3Role does not grant sqs:SendMessage on Queue',
    ]);
  });

  it('reports a queue S3 may not send to, and a resume queue that is not the queue read', () => {
    const t = s3Template();
    delete t.Resources.QueuePolicy;
    const env = t.Resources.IngestS3LambdaFunction!.Properties!.Environment as {
      Variables: Record<string, unknown>;
    };
    env.Variables.S3_QUEUE_URL = { Ref: 'DeadLetters' };
    expect(checkTemplate(S3_FUNCTIONS, t).problems).toEqual([
      'ingestS3: S3_QUEUE_URL is not the URL of Queue, the queue it reads',
      'ingestS3: no queue policy lets S3 send its notifications to Queue',
    ]);
  });

  it('reports a function the Errors and Throttles alarms do not count, and unwatched queues', () => {
    const t = s3Template();
    t.Resources.LogferryErrorsAlarm = lambdaAlarm('Errors', LAMBDAS) as never;
    delete t.Resources.QueueAgeAlarm;
    delete t.Resources.DeadLetterAlarm;
    delete (t.Outputs as Record<string, unknown>).S3SourceQueueArn;
    expect(checkTemplate(S3_FUNCTIONS, t).problems).toEqual([
      'ingestS3: LogferryErrorsAlarm does not count it',
      'Queue: no alarm on ApproximateAgeOfOldestMessage',
      'DeadLetters: no alarm on messages in the dead-letter queue',
      'template has no output S3SourceQueueArn',
    ]);
    delete t.Resources.LogferryThrottlesAlarm;
    expect(checkTemplate(S3_FUNCTIONS, t).problems).toContain(
      'template has no alarm LogferryThrottlesAlarm',
    );
  });

  it('notes, without failing, a stage packaged before it has an OpenSearch endpoint', () => {
    const t = template();
    const env = { Variables: { ...ENV.Variables, OPENSEARCH_URL: undefined } };
    delete env.Variables.OPENSEARCH_URL;
    for (const id of ['IngestCloudwatchLambdaFunction', 'IngestKinesisLambdaFunction'])
      t.Resources[id]!.Properties!.Environment = env;
    const { problems, notes } = checkTemplate(FUNCTIONS, t);
    expect(problems).toEqual([]);
    expect(notes).toHaveLength(2);
  });

  it('reports an unencrypted alarm topic and an archive bucket without a deletion policy', () => {
    const t = template();
    t.Resources.LogferryAlarmTopic!.Properties = {};
    delete (t.Resources.LogferryArchiveBucket as { DeletionPolicy?: string }).DeletionPolicy;
    expect(checkTemplate(FUNCTIONS, t).problems).toEqual([
      'LogferryArchiveBucket: DeletionPolicy is neither Retain nor Delete',
      'LogferryAlarmTopic is not encrypted (KmsMasterKeyId)',
    ]);
  });
});
