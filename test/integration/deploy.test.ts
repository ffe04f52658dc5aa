// npm run deploy:local / remove:local: the real serverless.yml deployed into moto, what moto then holds, a redeploy, the removal.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
} from '@aws-sdk/client-eventbridge';
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  GetBucketNotificationConfigurationCommand,
  HeadBucketCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Deployment, queueUrl, readDeployment } from '#scripts/dev/deployed.ts';
import { REPO_ROOT } from '#scripts/local/paths.ts';
import { childEnv, deployLocal, removeLocal, target } from '#test/helpers/local-deploy.ts';

const run = promisify(execFile);

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/**
 * A policy document as moto returns it: URL-encoded JSON, except for inline role policies made by
 * CloudFormation, which it returns as the Python repr of the document (quotes are ours to swap: no
 * value in these policies holds one).
 */
function policyJson(doc: string): unknown {
  const text = decodeURIComponent(doc);
  try {
    return JSON.parse(text);
  } catch {
    return JSON.parse(
      text
        .replace(/'/g, '"')
        .replace(/\bTrue\b/g, 'true')
        .replace(/\bFalse\b/g, 'false'),
    );
  }
}

/** Every statement of a role, inline and attached, as moto stores the documents. */
async function roleStatements(iam: IAMClient, roleArn: string): Promise<Statement[]> {
  const roleName = roleArn.split('/').pop() ?? '';
  const docs: string[] = [];
  const inline = await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }));
  for (const name of inline.PolicyNames ?? []) {
    const p = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }));
    docs.push(p.PolicyDocument ?? '{}');
  }
  const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }));
  for (const a of attached.AttachedPolicies ?? []) {
    const policy = await iam.send(new GetPolicyCommand({ PolicyArn: a.PolicyArn }));
    const version = await iam.send(
      new GetPolicyVersionCommand({
        PolicyArn: a.PolicyArn,
        VersionId: policy.Policy?.DefaultVersionId,
      }),
    );
    docs.push(version.PolicyVersion?.Document ?? '{}');
  }
  return docs.flatMap((doc) =>
    [(policyJson(doc) as { Statement: Statement | Statement[] }).Statement].flat(),
  );
}

/** Every Allow action of a role, inline and attached. */
async function roleActions(iam: IAMClient, roleArn: string): Promise<Set<string>> {
  const actions = new Set<string>();
  for (const s of await roleStatements(iam, roleArn))
    if (s.Effect === 'Allow') for (const a of [s.Action].flat()) actions.add(a);
  return actions;
}

/** The resources an Allow statement of the role grants `action` on. */
function grantedOn(statements: Statement[], action: string): string[] {
  return statements
    .filter((s) => s.Effect === 'Allow' && [s.Action].flat().includes(action))
    .flatMap((s) => [s.Resource].flat().map(String));
}

describe('npm run deploy:local', () => {
  const lambda = new LambdaClient(target());
  const iam = new IAMClient(target());
  const events = new EventBridgeClient(target());
  const cfn = new CloudFormationClient(target());
  const sqs = new SQSClient(target());
  let deployment: Deployment;
  let output: string;

  beforeAll(async () => {
    output = await deployLocal();
    deployment = await readDeployment(target());
  }, 300_000);

  afterAll(async () => {
    for (const c of [lambda, iam, events, cfn, sqs]) c.destroy();
  });

  it('prints the stack outputs', () => {
    expect(output).toMatch(/ArchiveBucketName: logferry-local-/);
    expect(output).toMatch(
      /LogStreamArn: arn:aws:kinesis:us-east-1:\d+:stream\/logferry-local-logs/,
    );
    expect(output).toMatch(/FailureQueueUrl: http/);
  });

  it('creates the functions as serverless.yml says, each with a role of its own', async () => {
    const byName = new Map(deployment.functions.map((f) => [f.name, f]));
    expect([...byName.keys()].sort()).toEqual([
      'logferry-local-ingestCloudwatch',
      'logferry-local-ingestKinesis',
      'logferry-local-ingestS3',
      'logferry-local-subscribeLogGroups',
    ]);
    for (const [name, handler, memory] of [
      ['logferry-local-ingestCloudwatch', 'functions/cloudwatch-logs.handler', 1769],
      ['logferry-local-ingestKinesis', 'functions/kinesis.handler', 1769],
      ['logferry-local-ingestS3', 'functions/s3.handler', 1769],
      ['logferry-local-subscribeLogGroups', 'functions/subscribe.handler', 256],
    ] as const) {
      const { Configuration } = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
      expect(Configuration).toMatchObject({
        Runtime: 'nodejs22.x',
        Handler: handler,
        MemorySize: memory,
      });
      expect(Configuration?.Environment?.Variables).toMatchObject({
        LOGFERRY_STAGE: 'local',
        OPENSEARCH_URL: 'http://127.0.0.1:9200',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:5000',
        NODE_OPTIONS: '--enable-source-maps',
      });
      expect(Configuration?.Environment?.Variables?.ARCHIVE_BUCKET).toMatch(/^logferry-local-/);
    }
    const roles = new Set(deployment.functions.map((f) => f.role));
    expect(roles.size).toBe(4);
    // moto reports x86_64 whatever CloudFormation asked; the template it was given asks for arm64.
    const lambdas = Object.values(deployment.template.Resources ?? {}).filter(
      (r) => r.Type === 'AWS::Lambda::Function',
    );
    expect(lambdas).toHaveLength(4);
    for (const r of lambdas) expect(r.Properties?.Architectures).toEqual(['arm64']);
  });

  it('maps the stream to ingestKinesis with the batching and failure handling of serverless.yml', () => {
    const kinesis = deployment.mappings.filter((m) => m.kind === 'kinesis');
    expect(kinesis).toHaveLength(1);
    const [mapping] = kinesis;
    expect(mapping).toMatchObject({
      functionArn: expect.stringMatching(/:function:logferry-local-ingestKinesis$/),
      sourceArn: expect.stringMatching(/:stream\/logferry-local-logs$/),
      startingPosition: 'LATEST',
      settings: {
        batchSize: 500,
        batchWindowMs: 1000,
        bisect: true,
        reportBatchItemFailures: true,
        maxRetries: 10,
        maxRecordAgeMs: 21_600_000,
      },
      onFailure: expect.stringMatching(/:logferry-local-LogferryFailureQueue-/),
    });
  });

  it("feeds ingestS3 from its queue with serverless.yml's batching, partial batch responses and redrive", async () => {
    const sqsMappings = deployment.mappings.filter((m) => m.kind === 'sqs');
    expect(sqsMappings).toHaveLength(1);
    const [mapping] = sqsMappings;
    const queueArn = deployment.outputs.S3SourceQueueArn;
    expect(queueArn).toMatch(/:logferry-local-LogferryS3Queue-/);
    expect(mapping).toMatchObject({
      functionArn: expect.stringMatching(/:function:logferry-local-ingestS3$/),
      sourceArn: queueArn,
      enabled: true,
      settings: { batchSize: 5, batchWindowMs: 5000, reportBatchItemFailures: true },
    });
    const url = await queueUrl(sqs, queueArn!);
    // moto's CloudFormation gives the queue's URL on sqs.<region>.amazonaws.com; GetQueueUrl on its own host.
    const pathOf = (u: string | undefined) => new URL(u ?? 'http://x/none').pathname;
    expect(pathOf(url)).toBe(pathOf(deployment.outputs.S3SourceQueueUrl));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
    );
    // Six times the function's timeout (300 s), as AWS advises for a Lambda source.
    expect(Attributes?.VisibilityTimeout).toBe('1800');
    const redrive = JSON.parse(Attributes?.RedrivePolicy ?? '{}');
    expect(Number(redrive.maxReceiveCount)).toBe(5);
    expect(redrive.deadLetterTargetArn).toMatch(/:logferry-local-LogferryS3DeadLetterQueue-/);
    const dlqUrl = await queueUrl(sqs, redrive.deadLetterTargetArn);
    expect(pathOf(dlqUrl)).toBe(pathOf(deployment.outputs.S3SourceDeadLetterQueueUrl));
    // The function's timeout must fit in the visibility timeout, or AWS refuses the mapping.
    const { Configuration } = await lambda.send(
      new GetFunctionCommand({ FunctionName: 'logferry-local-ingestS3' }),
    );
    expect(Configuration?.Timeout).toBe(300);
    expect(pathOf(Configuration?.Environment?.Variables?.S3_QUEUE_URL)).toBe(pathOf(url));
  });

  it("grants ingestS3 its own queue and the source buckets' objects, nothing else of the kind", async () => {
    const fn = deployment.functions.find((f) => f.name.endsWith('-ingestS3'))!;
    const statements = await roleStatements(iam, fn.role);
    const queueArn = deployment.outputs.S3SourceQueueArn;
    for (const action of [
      'sqs:ReceiveMessage',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:SendMessage',
    ])
      expect(grantedOn(statements, action), action).toContain(queueArn);
    // SendMessage also goes to the failure queue (ingest delivery); Receive/Delete to no other queue.
    for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage'])
      expect(grantedOn(statements, action), action).toEqual([queueArn]);
    expect(grantedOn(statements, 's3:GetObject')).toEqual(['arn:aws:s3:::logferry-s3-samples/*']);
    const actions = await roleActions(iam, fn.role);
    for (const never of ['logs:PutSubscriptionFilter', 'iam:PassRole', 'kinesis:GetRecords'])
      expect(actions.has(never), never).toBe(false);
  });

  it("points the local source bucket's ObjectCreated notification at ingestS3's queue (the deploy's s3:notify)", async () => {
    expect(output).toMatch(/logferry s3:notify: logferry-s3-samples\s+(created|updated|unchanged)/);
    const s3 = new S3Client({ ...target(), forcePathStyle: true });
    try {
      const config = await s3.send(
        new GetBucketNotificationConfigurationCommand({ Bucket: 'logferry-s3-samples' }),
      );
      expect(config.QueueConfigurations).toEqual([
        expect.objectContaining({
          Id: 'logferry-local',
          QueueArn: deployment.outputs.S3SourceQueueArn,
          Events: ['s3:ObjectCreated:*'],
        }),
      ]);
    } finally {
      s3.destroy();
    }
  });

  it('gives the asynchronous functions retries and the failure queue', () => {
    const ingest = deployment.functions.find((f) => f.name.endsWith('-ingestCloudwatch'));
    const subscribe = deployment.functions.find((f) => f.name.endsWith('-subscribeLogGroups'));
    expect(ingest?.async).toMatchObject({ maxRetries: 2, maxEventAgeMs: 21_600_000 });
    expect(subscribe?.async.maxRetries).toBe(1);
    expect(ingest?.async.onFailure).toMatch(/:logferry-local-LogferryFailureQueue-/);
  });

  it('runs the subscribe function on the CreateLogGroup rule and the schedule', async () => {
    const { Rules } = await events.send(new ListRulesCommand({}));
    const ours = [];
    for (const rule of Rules ?? []) {
      const { Targets } = await events.send(new ListTargetsByRuleCommand({ Rule: rule.Name }));
      if (Targets?.some((t) => t.Arn?.endsWith(':function:logferry-local-subscribeLogGroups')))
        ours.push(rule);
    }
    expect(ours.map((r) => r.ScheduleExpression).filter(Boolean)).toEqual(['rate(1 day)']);
    const pattern = ours.map((r) => r.EventPattern).find(Boolean);
    expect(JSON.parse(pattern ?? '{}')).toEqual({
      source: ['aws.logs'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: { eventSource: ['logs.amazonaws.com'], eventName: ['CreateLogGroup'] },
    });
  });

  it('grants each role only what its function calls', async () => {
    const role = (suffix: string) =>
      deployment.functions.find((f) => f.name.endsWith(suffix))!.role;
    const cloudwatch = await roleActions(iam, role('-ingestCloudwatch'));
    const kinesis = await roleActions(iam, role('-ingestKinesis'));
    const subscribe = await roleActions(iam, role('-subscribeLogGroups'));
    const delivery = [
      's3:PutObject',
      'es:ESHttpPost',
      'ssm:GetParameter',
      'secretsmanager:GetSecretValue',
    ];
    const s3 = await roleActions(iam, role('-ingestS3'));
    expect([...s3]).toEqual(
      expect.arrayContaining([...delivery, 's3:GetObject', 'sqs:ReceiveMessage']),
    );
    for (const never of ['logs:PutSubscriptionFilter', 'iam:PassRole', 'kinesis:GetRecords'])
      expect(s3.has(never), never).toBe(false);
    for (const actions of [cloudwatch, kinesis]) {
      expect([...actions]).toEqual(expect.arrayContaining([...delivery, 'sqs:SendMessage']));
      // Parsing untrusted input: no subscription filters, no roles to pass, nothing to read back.
      for (const never of ['logs:PutSubscriptionFilter', 'iam:PassRole', 's3:GetObject'])
        expect(actions.has(never), never).toBe(false);
    }
    expect(kinesis.has('kinesis:GetRecords')).toBe(true);
    expect(cloudwatch.has('kinesis:GetRecords')).toBe(false);
    expect([...subscribe]).toEqual(
      expect.arrayContaining([
        'logs:PutSubscriptionFilter',
        'logs:DescribeLogGroups',
        'sqs:SendMessage',
      ]),
    );
    for (const never of ['s3:PutObject', 'es:ESHttpPost', 'kinesis:GetRecords', 'iam:PassRole'])
      expect(subscribe.has(never), never).toBe(false);
    // Optional grants are off: no collection, no customer-managed keys, no VPC, no role to pass.
    for (const actions of [cloudwatch, kinesis, subscribe])
      for (const off of ['aoss:APIAccessAll', 'kms:Decrypt', 'ec2:CreateNetworkInterface'])
        expect(actions.has(off), off).toBe(false);
    const { Role } = await iam.send(
      new GetRoleCommand({ RoleName: role('-ingestKinesis').split('/').pop() }),
    );
    expect(decodeURIComponent(Role?.AssumeRolePolicyDocument ?? '')).toContain(
      'lambda.amazonaws.com',
    );
  });

  it('redeploys with a changed parameter', async () => {
    await deployLocal({ kinesisBatchSize: 100 });
    const again = await readDeployment(target());
    expect(again.stackId).toBe(deployment.stackId);
    const kinesis = again.mappings.find((m) => m.kind === 'kinesis');
    expect(kinesis?.settings.batchSize).toBe(100);
  }, 300_000);

  it('refuses to deploy a stage that has no OpenSearch endpoint', async () => {
    const failed = await run(
      `${REPO_ROOT}/node_modules/.bin/serverless`,
      ['deploy', '--stage', 'prod'],
      { cwd: REPO_ROOT, env: childEnv() },
    ).then(
      () => undefined,
      (error: { stdout: string; stderr: string }) => `${error.stdout}${error.stderr}`,
    );
    expect(failed).toMatch(/stage prod has no OpenSearch endpoint/);
    await expect(
      cfn.send(new DescribeStacksCommand({ StackName: 'logferry-prod' })),
    ).rejects.toThrow();
  }, 180_000);

  it('removes the stack, archive bucket included', async () => {
    const bucket = deployment.outputs.ArchiveBucketName;
    const s3 = new S3Client({ ...target(), forcePathStyle: true });
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    await removeLocal();
    await expect(s3.send(new HeadBucketCommand({ Bucket: bucket }))).rejects.toThrow();
    s3.destroy();
    await expect(readDeployment(target())).rejects.toThrow(/not deployed/);
    await expect(
      lambda.send(new GetFunctionCommand({ FunctionName: 'logferry-local-ingestKinesis' })),
    ).rejects.toThrow();
  }, 180_000);
});
