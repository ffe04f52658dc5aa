// Wires configuration, clients and sinks together once per process (cold start) for the handlers and CLIs.
import { compileAlertRules } from '#shared/alerts/rules.ts';
import { type AlertSink, createAlertSink } from '#shared/alerts/sink.ts';
import { createSlackClient } from '#shared/alerts/slack.ts';
import { createOpenSearchAlertState } from '#shared/alerts/state.ts';
import { createWebhookBook, type WebhookBook } from '#shared/alerts/webhooks.ts';
import { createOpenSearchClient } from '#shared/clients/opensearch.ts';
import { createS3Client } from '#shared/clients/s3.ts';
import type { RuntimeEnv } from '#shared/config/env.ts';
import { loadRuntimeConfig } from '#shared/config/runtime-config.ts';
import type { Config } from '#shared/config/schema.ts';
import { documentIdPolicy } from '#shared/sinks/opensearch/document-ids.ts';
import { createOpenSearchSink } from '#shared/sinks/opensearch/sink.ts';
import { createS3ArchiveSink, createS3DeadLetterSink } from '#shared/sinks/s3.ts';
import type { Sinks } from '#shared/sinks/types.ts';

export interface Runtime {
  config: Config;
  env: RuntimeEnv;
  sinks: Sinks;
  /** Webhook URLs of the alert rules; the handler's `fetchWebhooks` middleware fills it. */
  webhooks: WebhookBook;
}

/**
 * Builds the real sinks for an environment.
 *
 * @example
 * const runtime = createRuntime(readRuntimeEnv(process.env));
 */
export function createRuntime(
  env: RuntimeEnv,
  config: Config = loadRuntimeConfig(env.configFile),
): Runtime {
  const s3 = createS3Client({ region: env.region, endpoint: env.awsEndpoint });
  const s3opts = { client: s3, bucket: env.archiveBucket, gzipLevel: config.archive.gzip_level };
  const opensearch = createOpenSearchClient({ url: env.opensearchUrl, region: env.region });
  const ids = documentIdPolicy(env.opensearchUrl, config.opensearch.serverless_collection_type);
  // Said once per cold start, as a structured line: without ids a redelivery can duplicate.
  if (ids.warning) console.warn(JSON.stringify({ level: 'WARN', message: ids.warning }));
  const rules = compileAlertRules(config.alerts);
  const webhooks = createWebhookBook({
    refs: rules.map((r) => r.webhook),
    defaultRef: env.slackWebhookParam ? `ssm:${env.slackWebhookParam}` : undefined,
    override: env.slackWebhookUrl,
  });
  const alert: AlertSink | undefined =
    rules.length === 0
      ? undefined
      : createAlertSink({
          config: config.alerts,
          state: createOpenSearchAlertState({
            client: opensearch,
            index: config.alerts.state_index,
          }),
          slack: createSlackClient(),
          webhooks,
          region: env.region,
        });
  return {
    config,
    env,
    webhooks,
    sinks: {
      index: createOpenSearchSink({
        client: opensearch,
        bulkBytes: config.opensearch.bulk_bytes,
        concurrency: config.opensearch.concurrency,
        maxFieldBytes: config.opensearch.max_field_bytes,
        useIds: ids.useIds,
      }),
      archive: createS3ArchiveSink(s3opts),
      deadLetter: createS3DeadLetterSink(s3opts),
      alert,
    },
  };
}

/** The time by which sinks must be done: the Lambda's remaining time less a safety margin. */
export function deadlineFrom(remainingMs: number, marginMs: number, now = Date.now()): number {
  return now + Math.max(1000, remainingMs - marginMs);
}
