// package:check's checks of what an SQS-fed function needs around it (queue, redrive, visibility, grants on the queue, who may send)
// and of the alarms that watch every function and queue.
import type { Template } from './package-check.ts';

type Resource = NonNullable<Template['Resources']>[string];
type Statement = {
  Effect?: string;
  Action?: string | string[];
  Resource?: unknown;
  Principal?: unknown;
};
type Doc = { Statement?: Statement[] } | undefined;

/** What Lambda's SQS poller calls with the function's role (AWSLambdaSQSQueueExecutionRole's actions). */
const POLLER_ACTIONS = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];

function list<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The logical id an `Fn::GetAtt [X, Arn]` (or `Ref X`) names. */
function refOf(value: unknown, attribute = 'Arn'): string | undefined {
  const v = value as { 'Fn::GetAtt'?: [string, string]; Ref?: string } | undefined;
  if (v?.['Fn::GetAtt']?.[1] === attribute) return v['Fn::GetAtt'][0];
  return attribute === 'Ref' ? v?.Ref : undefined;
}

/**
 * Every statement a role holds: its inline policies, and the policies that name it in `Roles`.
 *
 * @example
 * roleStatements(template, 'IngestS3Role').filter((s) => s.Effect === 'Allow');
 */
export function roleStatements(template: Template, roleId: string): Statement[] {
  const resources = template.Resources ?? {};
  const role = resources[roleId]?.Properties ?? {};
  const docs: Doc[] = ((role.Policies ?? []) as Array<{ PolicyDocument?: Doc }>).map(
    (p) => p.PolicyDocument,
  );
  for (const r of Object.values(resources)) {
    const roles = (r.Properties?.Roles ?? []) as Array<{ Ref?: string }>;
    // Conditional policies count as held: the check is of the most a role can ever have.
    if (r.Type?.startsWith('AWS::IAM::') && roles.some((x) => x?.Ref === roleId))
      docs.push(r.Properties?.PolicyDocument as Doc);
  }
  return docs.flatMap((d) => d?.Statement ?? []);
}

/** Whether an Allow statement of the role grants `action` on the queue `queueId` (by its ARN). */
function grantsOn(statements: Statement[], action: string, queueId: string): boolean {
  return statements.some(
    (s) =>
      s.Effect === 'Allow' &&
      list(s.Action).includes(action) &&
      list(s.Resource as unknown).some((r) => refOf(r) === queueId),
  );
}

/**
 * Checks the queue an SQS mapping reads: a redrive policy to a dead-letter queue of the template, a
 * visibility timeout the function's timeout fits in (AWS refuses the mapping otherwise), the poller's
 * and the resume queue's grants on that very queue, and a queue policy that lets S3 send to it.
 *
 * @example
 * checkSqsSource('ingestS3', 'IngestS3LambdaFunction', 'LogferryS3Queue', 'IngestS3Role', template, problems);
 */
export function checkSqsSource(
  fnKey: string,
  lambdaId: string,
  queueId: string,
  roleId: string | undefined,
  template: Template,
  problems: string[],
): void {
  const resources = template.Resources ?? {};
  const queue = resources[queueId]?.Properties ?? {};
  const redrive = queue.RedrivePolicy as
    | { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown }
    | undefined;
  if (!redrive) {
    problems.push(
      `${fnKey}: ${queueId} has no RedrivePolicy: a failing message would come back forever`,
    );
  } else {
    const dlq = refOf(redrive.deadLetterTargetArn);
    if (!dlq || resources[dlq]?.Type !== 'AWS::SQS::Queue')
      problems.push(`${fnKey}: ${queueId}'s RedrivePolicy names no dead-letter queue of the stack`);
    if (!(Number(redrive.maxReceiveCount) >= 1))
      problems.push(`${fnKey}: ${queueId}'s RedrivePolicy has no maxReceiveCount`);
  }
  const timeout = Number(resources[lambdaId]?.Properties?.Timeout ?? 6);
  // SQS's default visibility timeout is 30 s.
  const visibility = Number(queue.VisibilityTimeout ?? 30);
  if (visibility < timeout)
    problems.push(
      `${fnKey}: ${queueId}'s VisibilityTimeout (${visibility} s) is shorter than the function's timeout (${timeout} s)`,
    );

  if (roleId) {
    const statements = roleStatements(template, roleId);
    for (const action of POLLER_ACTIONS)
      if (!grantsOn(statements, action, queueId))
        problems.push(`${fnKey}: ${roleId} does not grant ${action} on ${queueId}`);
    const variables = ((
      resources[lambdaId]?.Properties?.Environment as
        | { Variables?: Record<string, unknown> }
        | undefined
    )?.Variables ?? {}) as Record<string, unknown>;
    // The queue objects too long for one invocation go back to (functions/s3.ts).
    if ('S3_QUEUE_URL' in variables) {
      if (refOf(variables.S3_QUEUE_URL, 'Ref') !== queueId)
        problems.push(`${fnKey}: S3_QUEUE_URL is not the URL of ${queueId}, the queue it reads`);
      if (!grantsOn(statements, 'sqs:SendMessage', queueId))
        problems.push(`${fnKey}: ${roleId} does not grant sqs:SendMessage on ${queueId}`);
    }
  }

  const sendsFromS3 = Object.values(resources).some(
    (r) =>
      r.Type === 'AWS::SQS::QueuePolicy' &&
      list(r.Properties?.Queues as unknown[] | undefined).some(
        (q) => refOf(q, 'Ref') === queueId,
      ) &&
      ((r.Properties?.PolicyDocument as Doc)?.Statement ?? []).some(
        (s) =>
          s.Effect === 'Allow' &&
          list(s.Action).includes('sqs:SendMessage') &&
          list((s.Principal as { Service?: string | string[] } | undefined)?.Service).includes(
            's3.amazonaws.com',
          ),
      ),
  );
  if (!sendsFromS3)
    problems.push(`${fnKey}: no queue policy lets S3 send its notifications to ${queueId}`);
}

/** The Lambda function names an alarm's metrics are about (by `Ref` to the function or by name). */
function alarmFunctions(alarm: Resource | undefined): Set<string> {
  const names = new Set<string>();
  const metrics = (alarm?.Properties?.Metrics ?? []) as Array<{
    MetricStat?: { Metric?: { Dimensions?: Array<{ Name?: string; Value?: unknown }> } };
  }>;
  for (const m of metrics)
    for (const d of m.MetricStat?.Metric?.Dimensions ?? [])
      if (d.Name === 'FunctionName')
        names.add(typeof d.Value === 'string' ? d.Value : (refOf(d.Value, 'Ref') ?? ''));
  return names;
}

function queueAlarmed(template: Template, metric: string, queueId: string): boolean {
  return Object.values(template.Resources ?? {}).some(
    (r) =>
      r.Type === 'AWS::CloudWatch::Alarm' &&
      r.Properties?.Namespace === 'AWS/SQS' &&
      r.Properties?.MetricName === metric &&
      ((r.Properties?.Dimensions ?? []) as Array<{ Name?: string; Value?: unknown }>).some(
        (d) => d.Name === 'QueueName' && refOf(d.Value, 'QueueName') === queueId,
      ),
  );
}

/**
 * Checks that the Errors and Throttles alarms count every function (by the Lambda's logical id or its
 * name), and that each SQS source queue has an age alarm and its dead-letter queue a depth alarm.
 *
 * @example
 * checkAlarms([{ key: 'ingestS3', lambdaId: 'IngestS3LambdaFunction', name: 'logferry-dev-ingestS3' }], ['LogferryS3Queue'], template, problems);
 */
export function checkAlarms(
  functions: Array<{ key: string; lambdaId: string; name?: string }>,
  queues: string[],
  template: Template,
  problems: string[],
): void {
  const resources = template.Resources ?? {};
  for (const alarmId of ['LogferryErrorsAlarm', 'LogferryThrottlesAlarm']) {
    if (resources[alarmId]?.Type !== 'AWS::CloudWatch::Alarm') {
      problems.push(`template has no alarm ${alarmId}`);
      continue;
    }
    const counted = alarmFunctions(resources[alarmId]);
    for (const fn of functions)
      if (!counted.has(fn.lambdaId) && !(fn.name && counted.has(fn.name)))
        problems.push(`${fn.key}: ${alarmId} does not count it`);
  }
  for (const queueId of queues) {
    if (!queueAlarmed(template, 'ApproximateAgeOfOldestMessage', queueId))
      problems.push(`${queueId}: no alarm on ApproximateAgeOfOldestMessage`);
    const dlq = refOf(
      (
        resources[queueId]?.Properties?.RedrivePolicy as
          | { deadLetterTargetArn?: unknown }
          | undefined
      )?.deadLetterTargetArn,
    );
    if (dlq && !queueAlarmed(template, 'ApproximateNumberOfMessagesVisible', dlq))
      problems.push(`${dlq}: no alarm on messages in the dead-letter queue`);
  }
}
