// Lambda's SQS poller for one event source mapping: receives the queue's messages, feeds QueueConsumer, deletes what the function finished.
import { LambdaClient, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type AwsTarget, type DeployedMapping, queueUrl } from './deployed.ts';
import { sqsEvent } from './lambda-events.ts';
import type { LocalFunction } from './lambda-runtime.ts';
import { QueueConsumer, type QueueLine, type QueueMessage } from './sqs-queue.ts';

export interface QueuePollerOptions {
  target: AwsTarget;
  mapping: DeployedMapping;
  fn: LocalFunction;
  /** One line per delivery. */
  log(line: string): void;
  /** Resolves once a poll finds the queue empty (messages left to come back are not waited for). */
  once: boolean;
  signal: AbortSignal;
}

export interface QueueAttributes {
  visibilitySeconds: number;
  maxReceiveCount: number;
  deadLetterArn?: string;
}

/** The queue's visibility timeout and redrive policy, as GetQueueAttributes returns them. */
export function queueAttributes(attributes: Record<string, string>): QueueAttributes {
  let redrive: { deadLetterTargetArn?: string; maxReceiveCount?: number | string } = {};
  try {
    redrive = JSON.parse(attributes.RedrivePolicy ?? '{}');
  } catch {}
  const max = Number(redrive.maxReceiveCount);
  return {
    // SQS's default when the queue says nothing.
    visibilitySeconds: Number(attributes.VisibilityTimeout ?? 30),
    maxReceiveCount: redrive.deadLetterTargetArn && max > 0 ? max : -1,
    deadLetterArn: redrive.deadLetterTargetArn,
  };
}

/** A received SQS message in the shape of a Lambda event record's fields. */
export function queueMessage(m: Message): QueueMessage {
  const messageAttributes: Record<string, unknown> = {};
  for (const [name, a] of Object.entries(m.MessageAttributes ?? {}))
    messageAttributes[name] = {
      stringValue: a.StringValue,
      binaryValue: a.BinaryValue ? Buffer.from(a.BinaryValue).toString('base64') : undefined,
      stringListValues: a.StringListValues ?? [],
      binaryListValues: (a.BinaryListValues ?? []).map((b) => Buffer.from(b).toString('base64')),
      dataType: a.DataType,
    };
  return {
    messageId: m.MessageId ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    body: m.Body ?? '',
    attributes: { ...(m.Attributes ?? {}) } as Record<string, string>,
    messageAttributes,
    md5OfBody: m.MD5OfBody ?? '',
    md5OfMessageAttributes: m.MD5OfMessageAttributes,
  };
}

function describe(line: QueueLine, attrs: QueueAttributes): string {
  const parts = [`${line.deleted} deleted`];
  if (line.kept > 0) parts.push(`${line.kept} back after ${attrs.visibilitySeconds} s`);
  if (line.toDeadLetter > 0)
    parts.push(
      `${line.toDeadLetter} received ${attrs.maxReceiveCount} times: SQS moves them to ${attrs.deadLetterArn?.split(':').pop()}`,
    );
  return parts.join(', ');
}

/**
 * Turns off moto's own delivery of an SQS mapping. moto runs a mapped function itself on every
 * SendMessage to its queue, receiving every visible message; without Docker the run fails and the
 * messages are made visible again, each with one more receive counted: a few objects put while no dev
 * loop runs would walk their neighbours to the dead-letter queue without any delivery. The dev loop is
 * the mapping's poller instead (deploy:local turns moto's off after each deploy, the loop when it
 * starts); `DeployedMapping.enabled` still says what the template deployed.
 *
 * @example
 * await stopMotoDelivery(target, mapping.uuid);
 */
export async function stopMotoDelivery(target: AwsTarget, uuid: string): Promise<void> {
  const lambda = new LambdaClient(target);
  try {
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: false }));
  } finally {
    lambda.destroy();
  }
}

/**
 * Polls the mapping's queue until `signal` aborts (or, with `once`, until a poll finds it empty),
 * invoking the function with Lambda-shaped SQS events, one batch at a time.
 *
 * @example
 * await pollQueue({ target, mapping, fn, log: console.log, once: true, signal });
 */
export async function pollQueue(options: QueuePollerOptions): Promise<void> {
  const { mapping, fn, signal } = options;
  const sqs = new SQSClient(options.target);
  const name = mapping.sourceArn.split(':').pop() ?? mapping.sourceArn;
  try {
    const url = await queueUrl(sqs, mapping.sourceArn);
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
    );
    const attrs = queueAttributes(Attributes ?? {});
    await stopMotoDelivery(options.target, mapping.uuid);
    let kept = 0;
    const consumer = new QueueConsumer(
      { ...mapping.settings, maxReceiveCount: attrs.maxReceiveCount },
      {
        receive: async (max, waitSeconds) => {
          // The queue's own visibility timeout: Lambda's poller sets none of its own.
          const { Messages } = await sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: url,
              MaxNumberOfMessages: max,
              WaitTimeSeconds: waitSeconds,
              MessageSystemAttributeNames: ['All'],
              MessageAttributeNames: ['All'],
            }),
          );
          return (Messages ?? []).map(queueMessage);
        },
        invoke: async (messages) => {
          const result = await fn.invoke(
            sqsEvent(messages, { queueArn: mapping.sourceArn, region: options.target.region }),
          );
          const s = result.summary;
          options.log(
            `sqs ${name}: ${messages.length} message(s) -> ${fn.fn.name}` +
              (s
                ? `: ${s.documents} document(s), ${s.indexed} indexed, ${s.deadLettered} dead-lettered`
                : '') +
              (result.kind === 'error' ? `: function error: ${result.error}` : ''),
          );
          return result;
        },
        delete: async (messages) => {
          for (let i = 0; i < messages.length; i += 10) {
            const chunk = messages.slice(i, i + 10);
            const { Failed } = await sqs.send(
              new DeleteMessageBatchCommand({
                QueueUrl: url,
                Entries: chunk.map((m, n) => ({ Id: String(n), ReceiptHandle: m.receiptHandle })),
              }),
            );
            if (Failed?.length)
              options.log(
                `sqs ${name}: ${Failed.length} message(s) not deleted: ${Failed[0]?.Message}`,
              );
          }
        },
        report: (line) => {
          kept += line.kept;
          options.log(
            `sqs ${name}: ${line.outcome}, ${describe(line, attrs)}${line.detail ? `: ${line.detail}` : ''}`,
          );
        },
      },
    );
    while (!signal.aborted) {
      const n = await consumer.step(signal);
      if (options.once && n === 0) break;
    }
    if (options.once && kept > 0)
      options.log(
        `sqs ${name}: ${kept} message(s) left to come back after the visibility timeout (${attrs.visibilitySeconds} s)`,
      );
  } finally {
    sqs.destroy();
  }
}
