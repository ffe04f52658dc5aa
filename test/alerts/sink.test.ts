import { describe, expect, it } from 'vitest';
import type { SlackMessage } from '#shared/alerts/block-kit.ts';
import { createAlertSink } from '#shared/alerts/sink.ts';
import type { SlackPoster, Webhook } from '#shared/alerts/slack.ts';
import { type AlertStateStore, createMemoryAlertState } from '#shared/alerts/state.ts';
import { createWebhookBook } from '#shared/alerts/webhooks.ts';
import { SlackWebhookError } from '#shared/errors.ts';
import { configWith, jsonError, routedOf } from '#test/helpers/alerts.ts';

function recordingSlack(fail?: (n: number) => boolean) {
  const posted: { webhook: Webhook; message: SlackMessage }[] = [];
  let n = 0;
  const slack: SlackPoster = {
    async post(webhook, message) {
      if (fail?.(n++))
        return {
          ok: false,
          attempts: 1,
          error: new SlackWebhookError(`${webhook.name}: HTTP 500 internal_error`, 500, false),
        };
      posted.push({ webhook, message });
      return { ok: true, attempts: 1 };
    },
  };
  return { slack, posted };
}

function sinkWith(alerts: unknown, opts: { state?: AlertStateStore; slack?: SlackPoster } = {}) {
  const config = configWith(alerts).alerts;
  const recording = recordingSlack();
  const state = opts.state ?? createMemoryAlertState();
  const sink = createAlertSink({
    config,
    state,
    slack: opts.slack ?? recording.slack,
    webhooks: createWebhookBook({ refs: [], override: 'https://hooks.slack.test/services/T/B/x' }),
    region: 'eu-west-1',
  });
  return { sink, state, posted: recording.posted };
}

const twoOfOne = [
  jsonError(
    'payment failed for order ord_8f3a2c',
    { type: 'PaymentDeclinedError', message: 'card declined' },
    '2025-11-20T10:00:07.000Z',
  ),
  jsonError(
    'payment failed for order ord_77aa01',
    { type: 'PaymentDeclinedError', message: 'card declined' },
    '2025-11-20T10:00:08.000Z',
  ),
];
const deadline = () => Date.now() + 5000;

describe('alert sink', () => {
  it('sends one grouped message for two errors of one fingerprint', async () => {
    const { sink, posted } = sinkWith({ rules: [{ name: 'errors' }] });
    const counts = await sink.alert(routedOf(twoOfOne, { seed: 'a' }), deadline());
    expect(counts).toMatchObject({
      matched: 2,
      sent: 1,
      suppressed: 0,
      dropped: 0,
      messages: 1,
      errors: [],
    });
    expect(posted).toHaveLength(1);
    expect(JSON.stringify(posted[0]!.message.blocks)).toContain('*2×*');
  });

  it('stays quiet for a redelivered batch and for the same error with other numbers in the window', async () => {
    // Prepare: two instances sharing one state store, as two Lambdas share the alert-state index.
    const state = createMemoryAlertState();
    const first = sinkWith({ rules: [{ name: 'errors' }] }, { state });
    const second = sinkWith({ rules: [{ name: 'errors' }] }, { state });
    // Act
    await first.sink.alert(routedOf(twoOfOne, { seed: 'a' }), deadline());
    const redelivered = await second.sink.alert(routedOf(twoOfOne, { seed: 'a' }), deadline());
    const later = await second.sink.alert(
      routedOf(
        [
          jsonError(
            'payment failed for order ord_0000ff',
            { type: 'PaymentDeclinedError', message: 'card declined' },
            '2025-11-20T10:07:00.000Z',
          ),
        ],
        { seed: 'b' },
      ),
      deadline(),
    );
    // Assess
    expect(redelivered).toMatchObject({ matched: 2, sent: 0, suppressed: 1 });
    expect(later).toMatchObject({ matched: 1, sent: 0, suppressed: 1 });
    expect(second.posted).toHaveLength(0);
    expect([...state.records.values()].map((r) => r.status)).toEqual(['sent']);
  });

  it('alerts again in the next window', async () => {
    const { sink, posted } = sinkWith({ rules: [{ name: 'errors' }] });
    await sink.alert(routedOf(twoOfOne, { seed: 'a' }), deadline());
    const next = await sink.alert(
      routedOf(
        [
          jsonError(
            'payment failed for order ord_1',
            { type: 'PaymentDeclinedError', message: 'card declined' },
            '2025-11-20T10:10:01.000Z',
          ),
        ],
        { seed: 'c' },
      ),
      deadline(),
    );
    expect(next.sent).toBe(1);
    expect(posted).toHaveLength(2);
  });

  it('produces nothing for access-log 5xx under the default rules', async () => {
    const { sink, posted } = sinkWith({ rules: [{ name: 'errors' }] });
    const lines = Array.from(
      { length: 5 },
      (_, i) =>
        `203.0.113.${i} - - [20/Nov/2025:10:00:01 +0000] "POST /api/checkout HTTP/1.1" 502 166 "-" "curl/8.4.0"`,
    );
    const counts = await sink.alert(routedOf(lines, { group: '/ecs/web/nginx' }), deadline());
    expect(counts).toMatchObject({ matched: 0, sent: 0 });
    expect(posted).toHaveLength(0);
  });

  it('holds a threshold rule back until enough matches arrived, counting across invocations', async () => {
    const { sink, posted } = sinkWith({
      rules: [{ name: 'flaky', threshold: { count: 3, window: '5m' } }],
    });
    const line = (id: string, t: string) => jsonError(`queue ${id} stalled`, undefined, t);
    const a = await sink.alert(
      routedOf([line('1', '2025-11-20T10:00:01.000Z'), line('2', '2025-11-20T10:00:02.000Z')], {
        seed: 'a',
      }),
      deadline(),
    );
    const again = await sink.alert(
      routedOf([line('1', '2025-11-20T10:00:01.000Z'), line('2', '2025-11-20T10:00:02.000Z')], {
        seed: 'a',
      }),
      deadline(),
    );
    const b = await sink.alert(
      routedOf([line('3', '2025-11-20T10:00:03.000Z')], { seed: 'b' }),
      deadline(),
    );
    expect(a).toMatchObject({ belowThreshold: 1, sent: 0 });
    expect(again).toMatchObject({ belowThreshold: 1, sent: 0 }); // a redelivery adds no count
    expect(b).toMatchObject({ belowThreshold: 0, sent: 1 });
    expect(posted).toHaveLength(1);
  });

  it('counts what Slack refuses as dropped, and releases the claim so a later invocation tries again', async () => {
    const state = createMemoryAlertState();
    const failing = recordingSlack(() => true);
    const { sink } = sinkWith({ rules: [{ name: 'errors' }] }, { state, slack: failing.slack });
    const counts = await sink.alert(routedOf(twoOfOne, { seed: 'a' }), deadline());
    expect(counts).toMatchObject({ sent: 0, dropped: 1 });
    expect(counts.errors[0]).toMatch(/1 alert\(s\) dropped: SLACK_WEBHOOK_URL: HTTP 500/);
    expect(state.records.size).toBe(0);
    const retry = sinkWith({ rules: [{ name: 'errors' }] }, { state });
    expect((await retry.sink.alert(routedOf(twoOfOne, { seed: 'a' }), deadline())).sent).toBe(1);
  });

  it('still alerts when the state store is down (a duplicate beats a missed error), and never throws', async () => {
    const down: AlertStateStore = {
      claim: async (records) => ({
        results: new Map(records.map((r) => [r.id, 'error' as const])),
        error: 'alert state unavailable: ECONNREFUSED',
      }),
      settle: async () => {
        throw new Error('down');
      },
      count: async () => {
        throw new Error('down');
      },
    };
    const { sink, posted } = sinkWith({ rules: [{ name: 'errors' }] }, { state: down });
    const counts = await sink.alert(routedOf(twoOfOne), deadline());
    expect(counts).toMatchObject({ sent: 1, errors: ['alert state unavailable: ECONNREFUSED'] });
    expect(posted).toHaveLength(1);
  });

  it('drops what has no time left, without any I/O', async () => {
    const state = createMemoryAlertState();
    const { sink, posted } = sinkWith({ rules: [{ name: 'errors' }] }, { state });
    const counts = await sink.alert(routedOf(twoOfOne), Date.now() - 1);
    expect(counts).toMatchObject({ matched: 2, dropped: 1, sent: 0 });
    expect(posted).toHaveLength(0);
    expect(state.records.size).toBe(0);
  });

  it('sends one message per webhook, each with its own rules', async () => {
    const config = configWith({
      rules: [
        { name: 'payments', regex: 'payment', webhook: 'ssm:/slack/payments' },
        { name: 'rest', webhook: 'secretsmanager:slack/rest' },
      ],
    }).alerts;
    const { slack, posted } = recordingSlack();
    const webhooks = createWebhookBook({
      refs: ['ssm:/slack/payments', 'secretsmanager:slack/rest'],
    });
    webhooks.loading(
      'ssm:/slack/payments',
      Promise.resolve('https://hooks.slack.test/services/T/B/payments'),
    );
    webhooks.loading(
      'secretsmanager:slack/rest',
      Promise.resolve({ url: 'https://hooks.slack.test/services/T/B/rest' }),
    );
    const sink = createAlertSink({ config, state: createMemoryAlertState(), slack, webhooks });
    const counts = await sink.alert(routedOf([...twoOfOne, jsonError('disk full')]), deadline());
    expect(counts).toMatchObject({ sent: 2, messages: 2 });
    expect(posted.map((p) => p.webhook.name).sort()).toEqual([
      'secretsmanager:slack/rest',
      'ssm:/slack/payments',
    ]);
  });
});
