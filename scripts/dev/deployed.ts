// What the dev loop and deploy:local read back of the deployed local stack: outputs, functions, their Kinesis and SQS mappings.
import {
  CloudFormationClient,
  DescribeStacksCommand,
  GetTemplateCommand,
  paginateListStackResources,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import {
  GetFunctionConfigurationCommand,
  GetFunctionEventInvokeConfigCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
} from '@aws-sdk/client-lambda';
import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { MappingSettings } from './kinesis-shard.ts';

/** The stack osls names `<service>-<stage>` for the local stage. */
export const LOCAL_STACK_NAME = 'logferry-local';

/** An SDK client's settings, from an environment that need not be process.env. */
export interface AwsTarget {
  region: string;
  endpoint?: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/**
 * The local stack's AWS settings (`localEnv()` or the like) as SDK client settings.
 *
 * @example
 * const target = awsTarget(localEnv());
 */
export function awsTarget(env: NodeJS.ProcessEnv): AwsTarget {
  return {
    region: env.AWS_REGION ?? 'us-east-1',
    endpoint: env.AWS_ENDPOINT_URL,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'test',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'test',
    },
  };
}

export interface DeployedFunction {
  name: string;
  arn: string;
  /** As in serverless.yml: `functions/kinesis.handler`. */
  handler: string;
  environment: Record<string, string>;
  timeoutMs: number;
  memoryMb: number;
  role: string;
  /** Asynchronous invocations (CloudWatch Logs, EventBridge): retries, then the on-failure destination. */
  async: { maxRetries: number; maxEventAgeMs: number; onFailure?: string };
}

export interface DeployedMapping {
  uuid: string;
  functionArn: string;
  /** What the mapping reads: a Kinesis stream or an SQS queue. */
  sourceArn: string;
  kind: 'kinesis' | 'sqs';
  /** As deployed (the template's `Enabled`), whatever the mapping's state says now. */
  enabled: boolean;
  /** Kinesis batches; an SQS mapping uses batchSize, batchWindowMs and reportBatchItemFailures. */
  settings: MappingSettings;
  startingPosition: string;
  /** When the mapping was made or last changed (epoch ms): where LATEST starts. */
  lastModified: number;
  onFailure?: string;
}

export interface Deployment {
  stackName: string;
  stackId: string;
  /** The template CloudFormation deployed, as JSON. */
  template: { Resources?: Record<string, TemplateResource> };
  outputs: Record<string, string>;
  functions: DeployedFunction[];
  mappings: DeployedMapping[];
}

export class NotDeployedError extends Error {
  constructor(stackName: string, cause?: unknown) {
    super(`stack ${stackName} is not deployed in the local stack: run npm run deploy:local first`, {
      cause,
    });
    this.name = 'NotDeployedError';
  }
}

function mappingOf(m: {
  UUID?: string;
  State?: string;
  FunctionArn?: string;
  EventSourceArn?: string;
  BatchSize?: number;
  MaximumBatchingWindowInSeconds?: number;
  BisectBatchOnFunctionError?: boolean;
  FunctionResponseTypes?: string[];
  MaximumRetryAttempts?: number;
  MaximumRecordAgeInSeconds?: number;
  StartingPosition?: string;
  LastModified?: Date;
  DestinationConfig?: { OnFailure?: { Destination?: string } };
}): DeployedMapping {
  const age = m.MaximumRecordAgeInSeconds ?? -1;
  const sourceArn = m.EventSourceArn ?? '';
  const kind = sourceArn.startsWith('arn:aws:sqs:') ? 'sqs' : 'kinesis';
  return {
    uuid: m.UUID ?? '',
    functionArn: m.FunctionArn ?? '',
    sourceArn,
    kind,
    enabled: m.State === undefined || m.State === 'Enabled' || m.State === 'Enabling',
    settings: {
      // The defaults are Lambda's: 10 messages for SQS, 100 records for Kinesis.
      batchSize: m.BatchSize ?? (kind === 'sqs' ? 10 : 100),
      batchWindowMs: (m.MaximumBatchingWindowInSeconds ?? 0) * 1000,
      bisect: m.BisectBatchOnFunctionError ?? false,
      reportBatchItemFailures: (m.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
      maxRetries: m.MaximumRetryAttempts ?? -1,
      maxRecordAgeMs: age < 0 ? -1 : age * 1000,
    },
    startingPosition: m.StartingPosition ?? 'LATEST',
    lastModified: m.LastModified?.getTime() ?? 0,
    onFailure: m.DestinationConfig?.OnFailure?.Destination,
  };
}

type AsyncSettings = DeployedFunction['async'];
type TemplateResource = { Type?: string; Properties?: Record<string, unknown> };

/**
 * An SQS queue's URL from its ARN.
 *
 * @example
 * const url = await queueUrl(sqs, 'arn:aws:sqs:us-east-1:123456789012:logferry-local-LogferryS3Queue-X');
 */
export async function queueUrl(sqs: SQSClient, arn: string): Promise<string> {
  const [, , , , account, name] = arn.split(':');
  const { QueueUrl } = await sqs.send(
    new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }),
  );
  if (!QueueUrl) throw new Error(`no queue ${arn}`);
  return QueueUrl;
}

/** An SQS queue's ARN from its URL (what a queue's physical id is): https://host/<account>/<name>. */
export function queueArnOfUrl(url: string, region: string): string | undefined {
  const [account, name] = new URL(url).pathname.split('/').filter(Boolean);
  return account && name ? `arn:aws:sqs:${region}:${account}:${name}` : undefined;
}

/**
 * The asynchronous-invocation settings the deployed template gives each function (by physical name).
 * Read from the template because moto makes no AWS::Lambda::EventInvokeConfig of its own; Lambda's
 * GetFunctionEventInvokeConfig answers first where it has one.
 */
function templateAsyncSettings(
  template: { Resources?: Record<string, TemplateResource> },
  physical: Map<string, string>,
  region: string,
): Map<string, AsyncSettings> {
  const settings = new Map<string, AsyncSettings>();
  for (const r of Object.values(template.Resources ?? {})) {
    if (r.Type !== 'AWS::Lambda::EventInvokeConfig') continue;
    const p = r.Properties ?? {};
    const fnRef = (p.FunctionName as { Ref?: string } | undefined)?.Ref;
    const name = fnRef ? physical.get(fnRef) : undefined;
    if (!name) continue;
    const target = (p.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)
      ?.OnFailure?.Destination as { 'Fn::GetAtt'?: [string, string] } | string | undefined;
    const queue =
      typeof target === 'object' ? physical.get(target['Fn::GetAtt']?.[0] ?? '') : undefined;
    settings.set(name, {
      maxRetries: Number(p.MaximumRetryAttempts ?? 2),
      maxEventAgeMs: Number(p.MaximumEventAgeInSeconds ?? 21_600) * 1000,
      onFailure:
        typeof target === 'string'
          ? target
          : queue?.startsWith('http')
            ? queueArnOfUrl(queue, region)
            : undefined,
    });
  }
  return settings;
}

/** Each mapping's `Enabled` in the deployed template, by its UUID (the mapping's physical id). */
function templateMappingsEnabled(
  template: { Resources?: Record<string, TemplateResource> },
  physical: Map<string, string>,
): Map<string, boolean> {
  const enabled = new Map<string, boolean>();
  for (const [id, r] of Object.entries(template.Resources ?? {})) {
    const uuid = physical.get(id);
    if (r.Type === 'AWS::Lambda::EventSourceMapping' && uuid)
      enabled.set(uuid, r.Properties?.Enabled !== false && r.Properties?.Enabled !== 'false');
  }
  return enabled;
}

async function readFunction(
  lambda: LambdaClient,
  name: string,
  fromTemplate: AsyncSettings | undefined,
): Promise<DeployedFunction> {
  const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
  // Lambda's defaults when the function has no event invoke configuration of its own.
  let async: AsyncSettings = fromTemplate ?? { maxRetries: 2, maxEventAgeMs: 6 * 3600_000 };
  try {
    const invoke = await lambda.send(
      new GetFunctionEventInvokeConfigCommand({ FunctionName: name }),
    );
    async = {
      maxRetries: invoke.MaximumRetryAttempts ?? 2,
      maxEventAgeMs: (invoke.MaximumEventAgeInSeconds ?? 21_600) * 1000,
      onFailure: invoke.DestinationConfig?.OnFailure?.Destination,
    };
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  }
  return {
    name,
    arn: config.FunctionArn ?? '',
    handler: config.Handler ?? '',
    environment: config.Environment?.Variables ?? {},
    timeoutMs: (config.Timeout ?? 3) * 1000,
    memoryMb: config.MemorySize ?? 128,
    role: config.Role ?? '',
    async,
  };
}

/**
 * Reads what a deployed stack holds for the dev loop: its outputs, each Lambda function's configuration
 * (handler, environment, timeout, asynchronous retries) and the event source mappings of its functions.
 * Throws NotDeployedError when the stack is not there.
 *
 * @example
 * const deployment = await readDeployment(awsTarget(localEnv()));
 */
export async function readDeployment(
  target: AwsTarget,
  stackName = LOCAL_STACK_NAME,
): Promise<Deployment> {
  const cfn = new CloudFormationClient(target);
  const lambda = new LambdaClient(target);
  try {
    let described: Stack | undefined;
    try {
      described = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
    } catch (error) {
      throw new NotDeployedError(stackName, error);
    }
    const status = described?.StackStatus ?? 'missing';
    if (!described || !status.endsWith('_COMPLETE') || status.startsWith('DELETE'))
      throw new NotDeployedError(stackName, new Error(`status ${status}`));
    const names: string[] = [];
    const physical = new Map<string, string>();
    for await (const page of paginateListStackResources(
      { client: cfn },
      { StackName: stackName },
    )) {
      for (const r of page.StackResourceSummaries ?? []) {
        if (r.LogicalResourceId && r.PhysicalResourceId)
          physical.set(r.LogicalResourceId, r.PhysicalResourceId);
        if (r.ResourceType === 'AWS::Lambda::Function' && r.PhysicalResourceId)
          names.push(r.PhysicalResourceId);
      }
    }
    const { TemplateBody } = await cfn.send(new GetTemplateCommand({ StackName: stackName }));
    const template = JSON.parse(TemplateBody ?? '{}') as Deployment['template'];
    const fromTemplate = templateAsyncSettings(template, physical, target.region);
    const asDeployed = templateMappingsEnabled(template, physical);
    const functions = await Promise.all(
      names.sort().map((name) => readFunction(lambda, name, fromTemplate.get(name))),
    );
    const mappings: DeployedMapping[] = [];
    for (const fn of functions) {
      const listed = await lambda.send(
        new ListEventSourceMappingsCommand({ FunctionName: fn.arn }),
      );
      for (const m of listed.EventSourceMappings ?? []) {
        const mapping = mappingOf(m);
        // The dev loop pauses moto's own SQS delivery while it runs; what counts is what was deployed.
        mapping.enabled = asDeployed.get(mapping.uuid) ?? mapping.enabled;
        mappings.push(mapping);
      }
    }
    return {
      stackName,
      stackId: described.StackId ?? stackName,
      template,
      outputs: Object.fromEntries(
        (described.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']),
      ),
      functions,
      mappings,
    };
  } finally {
    cfn.destroy();
    lambda.destroy();
  }
}
