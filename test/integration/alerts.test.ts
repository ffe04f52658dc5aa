// Slack alerts end to end: real handler, real OpenSearch (documents and alert state), a private Slack receiver.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ingestEnv, readEnv } from '#shared/config/env.ts';
import { loadConfig } from '#shared/config/yaml.ts';
import { createRuntime } from '#shared/runtime.ts';
import { ingestCloudWatchLogs } from '#shared/sources/cloudwatch-logs.ts';
import { jsonError } from '#test/helpers/alerts.ts';
import { awslogsEvent, loadEvent, messageOf } from '#test/helpers/events.ts';
import { type LocalPipeline, localPipeline } from '#test/helpers/pipeline.ts';
import { type PrivateSlack, privateSlack } from '#test/helpers/slack.ts';

let p: LocalPipeline;
let slack: PrivateSlack;
// Outside `<prefix>-*`, so document counts of the log indices leave it out.
const stateIndex = `alerts-it-alerts-${process.pid}`;

beforeAll(async () => {
  slack = await privateSlack('alerts');
  p = await localPipeline('alerts', {
    env: { SLACK_WEBHOOK_URL: slack.webhookUrl },
    yaml: `alerts:\n  state_index: ${stateIndex}\n  time_budget: 4s\n  links: { dashboards_url: 'http://127.0.0.1:5601' }\n  rules:\n    - { name: flaky, regex: 'queue .* stalled', threshold: { count: 3, window: 5m } }\n    - name: errors\n`,
  });
});

afterAll(async () => {
  p.restoreEnv();
  await slack.close();
  await p.opensearch.indices.delete({ index: stateIndex }).catch(() => undefined);
});

beforeEach(async () => {
  await slack.control({ mode: 'ok' });
  await slack.clear();
});

/** A subscription event with error lines of one service; `tag` keeps tests' fingerprints apart. */
function errorsEvent(tag: string, ids: string[], opts: { seed: string; time?: string }) {
  const lines = ids.map((id, i) =>
    jsonError(
      `${tag}: payment failed for order ${id}`,
      { type: 'PaymentDeclinedError', message: 'card declined' },
      opts.time ?? `2025-11-20T10:00:0${i}.000Z`,
    ),
  );
  return awslogsEvent(
    messageOf(lines, { group: `/ecs/${tag}`, stream: `${tag}/app/1`, seed: opts.seed }),
  );
}

async function stateDocs(rule = 'errors') {
  await p.opensearch.indices.refresh({ index: stateIndex });
  const { body } = await p.opensearch.search({
    index: stateIndex,
    body: {
      query: { bool: { filter: [{ term: { kind: 'alert' } }, { term: { rule } }] } },
      size: 100,
    },
  });
  return body.hits.hits.map((h) => h._source as Record<string, unknown>);
}

describe('Slack alerts', () => {
  it('sends one grouped message for two errors of one fingerprint, and records it in the alert-state index', async () => {
    // Act
    const summary = await p.invoke(
      errorsEvent('grouped', ['ord_8f3a2c', 'ord_77aa01'], { seed: 'g1' }),
    );
    // Assess
    expect(summary).toMatchObject({
      documents: 2,
      indexed: 2,
      alerts: { matched: 2, sent: 1, suppressed: 0, dropped: 0, messages: 1 },
    });
    const messages = await slack.messages();
    expect(messages).toHaveLength(1);
    const text = JSON.stringify(messages[0]!.payload);
    expect(text).toContain('*2×*');
    expect(text).toContain('PaymentDeclinedError: grouped: payment failed for order ord_8f3a2c');
    expect(text).toContain('CloudWatch Logs>');
    expect(text).toContain('OpenSearch Discover>');
    const docs = await stateDocs();
    const doc = docs.find((d) => d.log_group === '/ecs/grouped');
    expect(doc).toMatchObject({
      status: 'sent',
      count: 2,
      error_type: 'PaymentDeclinedError',
      window_start: '2025-11-20T10:00:00.000Z',
    });
    expect(JSON.stringify(docs)).not.toContain('/services/');
  });

  it('stays quiet when the batch is redelivered, and for the same error with other numbers in the window', async () => {
    // Prepare
    await p.invoke(errorsEvent('redelivered', ['ord_1', 'ord_2'], { seed: 'r1' }));
    await slack.clear();
    // Act
    const again = await p.invoke(errorsEvent('redelivered', ['ord_1', 'ord_2'], { seed: 'r1' }));
    const other = await p.invoke(
      errorsEvent('redelivered', ['ord_93', 'ord_94', 'ord_95'], {
        seed: 'r2',
        time: '2025-11-20T10:08:00.000Z',
      }),
    );
    // Assess
    expect(again.alerts).toMatchObject({ sent: 0, suppressed: 1 });
    expect(other.alerts).toMatchObject({ matched: 3, sent: 0, suppressed: 1 });
    expect(await slack.messages()).toEqual([]);
  });

  it('alerts once when two Lambda instances see the same error at the same time', async () => {
    // Prepare: a second runtime is a second instance (no memory shared), as in Lambda.
    const env = ingestEnv(readEnv(process.env));
    const other = createRuntime(env, loadConfig(env.configFile));
    const event = errorsEvent('raced', ['ord_1'], { seed: 'x1' });
    // Act
    const [a, b] = await Promise.all([
      p.invoke(event),
      ingestCloudWatchLogs(
        errorsEvent('raced', ['ord_2'], { seed: 'x2' }),
        { ...other, region: 'us-east-1' },
        Date.now() + 10_000,
      ),
    ]);
    // Assess
    expect(a.alerts.sent + b.report.alerts.sent).toBe(1);
    expect(a.alerts.suppressed + b.report.alerts.suppressed).toBe(1);
    expect(await slack.messages()).toHaveLength(1);
  });

  it('holds a threshold rule back until the third match, counted in OpenSearch across invocations and redeliveries', async () => {
    const stalled = (ids: string[], seed: string) =>
      awslogsEvent(
        messageOf(
          ids.map((id) => jsonError(`queue ${id} stalled`, undefined, '2025-11-20T11:00:01.000Z')),
          { group: '/ecs/queues', stream: 'worker/1', seed },
        ),
      );
    const first = await p.invoke(stalled(['q1', 'q2'], 't1'));
    const redelivered = await p.invoke(stalled(['q1', 'q2'], 't1'));
    const third = await p.invoke(stalled(['q3'], 't2'));
    expect(first.alerts).toMatchObject({ matched: 2, belowThreshold: 1, sent: 0 });
    expect(redelivered.alerts).toMatchObject({ belowThreshold: 1, sent: 0 });
    expect(third.alerts).toMatchObject({ belowThreshold: 0, sent: 1 });
    expect(await slack.messages()).toHaveLength(1);
    expect(await stateDocs('flaky')).toHaveLength(1);
  });

  it('sends nothing for access-log 5xx under the default rules', async () => {
    const summary = await p.invoke(loadEvent('nginx-access'));
    expect(summary).toMatchObject({ indexed: 6, alerts: { matched: 0, sent: 0 } });
    expect(await slack.messages()).toEqual([]);
  });

  it('waits out a 429 Retry-After, then sends', async () => {
    // Prepare
    await slack.control({ mode: '429', retryAfter: 1, count: 1 });
    const started = Date.now();
    // Act
    const summary = await p.invoke(errorsEvent('limited', ['ord_1', 'ord_2'], { seed: 'l1' }));
    // Assess
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(summary.alerts).toMatchObject({ sent: 1, dropped: 0 });
    expect(await slack.messages()).toHaveLength(1);
  });

  it('drops (and counts) what a Retry-After past the alert time budget would delay, and delivers the batch', async () => {
    // Prepare
    await slack.control({ mode: '429', retryAfter: 30, count: 1 });
    const started = Date.now();
    // Act
    const summary = await p.invoke(errorsEvent('late', ['ord_1'], { seed: 'd1' }));
    // Assess
    expect(Date.now() - started).toBeLessThan(4000);
    expect(summary).toMatchObject({ indexed: 1, retry: 0, alerts: { sent: 0, dropped: 1 } });
    expect(summary.alerts.errors[0]).toMatch(
      /1 alert\(s\) dropped: SLACK_WEBHOOK_URL: HTTP 429 rate_limited; Retry-After 30s is past the deadline/,
    );
    expect(JSON.stringify(summary)).not.toContain(slack.webhookUrl);
  });

  it('Slack answering 500 changes nothing in OpenSearch, and the alert comes with a later batch', async () => {
    // Prepare: the same batch once against a healthy Slack, to compare with.
    const event = errorsEvent('down', ['ord_1', 'ord_2'], { seed: 's1' });
    await slack.control({ mode: '500' });
    const before = await p.count();
    // Act
    const summary = await p.invoke(event);
    // Assess
    expect(summary).toMatchObject({
      documents: 2,
      indexed: 2,
      archived: 2,
      deadLettered: 0,
      retry: 0,
      alerts: { sent: 0, dropped: 1 },
    });
    expect(await p.count()).toBe(before + 2);
    expect(await slack.messages()).toEqual([]);
    // The claim was released: once Slack is back, the next occurrence alerts.
    expect((await stateDocs()).some((d) => d.log_group === '/ecs/down')).toBe(false);
    await slack.control({ mode: 'ok' });
    const later = await p.invoke(errorsEvent('down', ['ord_3'], { seed: 's2' }));
    expect(later.alerts).toMatchObject({ sent: 1 });
  });
});
