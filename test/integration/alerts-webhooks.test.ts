// Webhook URLs from SSM (SecureString) and Secrets Manager through the middy middleware, against moto.
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { localEnv } from '#scripts/local/stack.ts';
import { jsonError } from '#test/helpers/alerts.ts';
import { awslogsEvent, messageOf } from '#test/helpers/events.ts';
import { type LocalPipeline, localPipeline } from '#test/helpers/pipeline.ts';
import { type PrivateSlack, privateSlack } from '#test/helpers/slack.ts';

let p: LocalPipeline;
let slack: PrivateSlack;
const id = `it-${process.pid}-${Date.now()}`;
const stateIndex = `alerts-it-alerts-webhooks-${process.pid}`;
const logs: string[] = [];

beforeAll(async () => {
  slack = await privateSlack('alerts-webhooks');
  const env = localEnv();
  const aws = {
    region: env.AWS_REGION,
    endpoint: env.AWS_ENDPOINT_URL,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  await new SSMClient(aws).send(
    new PutParameterCommand({
      Name: `/logferry/${id}/slack-webhook`,
      Type: 'SecureString',
      Value: `${slack.receiver.url}/services/T/B/from-ssm`,
    }),
  );
  await new SecretsManagerClient(aws).send(
    new CreateSecretCommand({
      Name: `logferry/${id}/slack`,
      SecretString: JSON.stringify({
        url: `${slack.receiver.url}/services/T/B/from-secrets-manager`,
      }),
    }),
  );
  // Catch what the handler logs, to prove no webhook URL ever reaches a log line.
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation(
      (chunk: string | Uint8Array, ...rest: unknown[]) => {
        logs.push(String(chunk));
        return write(chunk as never, ...(rest as []));
      },
    );
  }
  p = await localPipeline('alerts-webhooks', {
    // No SLACK_WEBHOOK_URL: the rules' own references are fetched, as in AWS.
    env: {
      SLACK_WEBHOOK_URL: '',
      SLACK_WEBHOOK_PARAM: `/logferry/${id}/slack-webhook`,
      POWERTOOLS_LOG_LEVEL: 'WARN',
    },
    yaml: [
      'alerts:',
      `  state_index: ${stateIndex}`,
      '  time_budget: 3s',
      '  rules:',
      "    - { name: via-secrets-manager, regex: 'billing', webhook: 'secretsmanager:logferry/" +
        id +
        "/slack' }",
      "    - { name: missing, regex: 'inventory', webhook: 'ssm:/logferry/" +
        id +
        "/no-such-parameter' }",
      '    - { name: default }',
      '',
    ].join('\n'),
  });
});

afterAll(async () => {
  vi.restoreAllMocks();
  p.restoreEnv();
  await slack.close();
  await p.opensearch.indices.delete({ index: stateIndex }).catch(() => undefined);
});

function event(lines: string[], seed: string) {
  return awslogsEvent(messageOf(lines, { group: '/ecs/webhooks', stream: 'app/1', seed }));
}

describe('webhooks by reference', () => {
  it('fetches the default SSM parameter and a Secrets Manager secret, and posts to each', async () => {
    const summary = await p.invoke(
      event([jsonError('checkout failed'), jsonError('billing run failed')], 'w1'),
    );
    expect(summary.alerts).toMatchObject({ sent: 2, messages: 2, dropped: 0, errors: [] });
    const paths = (await slack.messages()).map((m) => m.path).sort();
    expect(paths).toEqual(['/services/T/B/from-secrets-manager', '/services/T/B/from-ssm']);
  });

  it('drops the alerts of a rule whose parameter does not exist, naming the reference, and delivers the batch', async () => {
    const summary = await p.invoke(event([jsonError('inventory sync failed')], 'w2'));
    expect(summary).toMatchObject({ indexed: 1, retry: 0, alerts: { sent: 0, dropped: 1 } });
    expect(summary.alerts.errors[0]).toContain(
      `webhook ssm:/logferry/${id}/no-such-parameter could not be fetched`,
    );
  });

  it('never writes a webhook URL to the logs or the summary', async () => {
    const all = logs.join('');
    expect(all).toContain('Slack alerts not all sent');
    expect(all).not.toContain('/services/T/B/');
    expect(all).not.toContain(slack.receiver.url);
  });
});
