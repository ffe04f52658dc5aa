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

  it("takes an SQS-fed function's failure handling from its queue's redrive policy", () => {
    const t = template();
    const functions = {
      ...FUNCTIONS,
      ingestS3: { handler: 'functions/s3.handler', events: [{ sqs: {} }] },
    };
    Object.assign(t.Resources, {
      IngestS3LambdaFunction: {
        Type: 'AWS::Lambda::Function',
        Properties: { Environment: ENV, Role: { 'Fn::Sub': `\${IngestS3Role.Arn}` } },
      },
      IngestS3EventSourceMappingSQSQueue: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: {
          EventSourceArn: { 'Fn::GetAtt': ['Queue', 'Arn'] },
          FunctionResponseTypes: ['ReportBatchItemFailures'],
        },
      },
      Queue: { Type: 'AWS::SQS::Queue', Properties: { RedrivePolicy: { maxReceiveCount: 5 } } },
      IngestS3Role: role(
        ...INGEST,
        allow(['s3:GetObject'], 'arn:aws:s3:::src/*'),
        allow(['sqs:ReceiveMessage'], 'arn:aws:sqs:r:1:q'),
      ),
    });
    expect(checkTemplate(functions, t).problems).toEqual([]);
    t.Resources.Queue!.Properties = {};
    expect(checkTemplate(functions, t).problems).toEqual([
      'ingestS3: Queue has no RedrivePolicy: a failing message would come back forever',
    ]);
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
