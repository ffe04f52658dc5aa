// An alert sink that records the Slack messages it would send, for `replay --dry-run`: no Slack, no OpenSearch.
import type { AlertsConfig } from '#shared/config/alerts.ts';
import type { SlackMessage } from './block-kit.ts';
import { type AlertSink, createAlertSink } from './sink.ts';
import { createMemoryAlertState } from './state.ts';

export interface RecordingAlertSink extends AlertSink {
  /** Messages in the order they would go, each with the webhook reference it would go to. */
  messages: { webhook: string; message: SlackMessage }[];
}

/**
 * The real alert stage with in-memory state and a Slack that only records: dedupe within one run
 * behaves as it would live, across runs it starts afresh.
 *
 * @example
 * const alerts = createRecordingAlertSink(config.alerts);
 * sinks.alert = alerts;
 */
export function createRecordingAlertSink(
  config: AlertsConfig,
  region?: string,
): RecordingAlertSink {
  const messages: RecordingAlertSink['messages'] = [];
  const sink = createAlertSink({
    config,
    state: createMemoryAlertState(),
    slack: {
      async post(webhook, message) {
        messages.push({ webhook: webhook.name, message });
        return { ok: true, attempts: 1 };
      },
    },
    webhooks: {
      async resolve(ref) {
        const name = ref ?? 'default webhook (SLACK_WEBHOOK_PARAM)';
        return { url: `dry-run:${name}`, name };
      },
    },
    region,
  });
  return { ...sink, messages };
}
