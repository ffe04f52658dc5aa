// Wires configuration, clients and sinks together once per process (cold start), building only what the caller needs.
import type { SlackMessage } from '#shared/alerts/block-kit.ts';
import { compileAlertRules } from '#shared/alerts/rules.ts';
import { createAlertSink } from '#shared/alerts/sink.ts';
import { createSlackClient } from '#shared/alerts/slack.ts';
import { createMemoryAlertState } from '#shared/alerts/state.ts';
import { createOpenSearchAlertState } from '#shared/alerts/state-opensearch.ts';
import { createWebhookBook, type WebhookBook } from '#shared/alerts/webhooks.ts';
import { createOpenSearchClient, dashboardsUrlOf } from '#shared/clients/opensearch.ts';
import { createS3Client } from '#shared/clients/s3.ts';
import type { IngestEnv } from '#shared/config/env.ts';
import type { AlertsConfig, Config } from '#shared/config/schema.ts';
import type { Enricher } from '#shared/enrich/enrich.ts';
import { createEnrichment } from '#shared/enrich/load.ts';
import { indexPatternId } from '#shared/ops/dashboards/ids.ts';
import { documentIdPolicy } from '#shared/sinks/opensearch/document-ids.ts';
import { createOpenSearchSink } from '#shared/sinks/opensearch/sink.ts';
import { createS3ArchiveSink, createS3DeadLetterSink } from '#shared/sinks/s3.ts';
import type { AlertSink, Sinks } from '#shared/sinks/types.ts';

export interface Runtime {
  config: Config;
  sinks: Sinks;
  /** Webhook URLs of the alert rules, for the handler's `fetchWebhooks` middleware to fill; only with alerts. */
  webhooks?: WebhookBook;
  /** The enrichment logferry.yml enables, its databases open; none by default. */
  enrich?: Enricher;
}

/**
 * Builds the real sinks for an environment: OpenSearch, the S3 archive and dead-letter prefix, and,
 * unless `alerts: false` (backfill: no alerts for history), the Slack alert stage when logferry.yml
 * has alert rules.
 *
 * @example
 * const runtime = createRuntime(ingestEnv(readEnv(process.env)), loadValidatedConfig(file));
 */
export function createRuntime(
  env: IngestEnv,
  config: Config,
  opts: { alerts?: boolean } = {},
): Runtime {
  const s3 = createS3Client({ region: env.region, endpoint: env.awsEndpoint });
  const s3opts = { client: s3, bucket: env.archiveBucket, gzipLevel: config.archive.gzip_level };
  const opensearch = createOpenSearchClient({ url: env.opensearchUrl, region: env.region });
  const ids = documentIdPolicy(env.opensearchUrl, config.opensearch.serverless_collection_type);
  // Said once per cold start, as a structured line: without ids a redelivery can duplicate.
  if (ids.warning) console.warn(JSON.stringify({ level: 'WARN', message: ids.warning }));
  const sinks: Sinks = {
    index: createOpenSearchSink({
      client: opensearch,
      bulkBytes: config.opensearch.bulk_bytes,
      concurrency: config.opensearch.concurrency,
      maxFieldBytes: config.opensearch.max_field_bytes,
      useIds: ids.useIds,
      // The raw line is kept once: in the archive when there is one, else in the index.
      omitOriginal: config.archive.enabled,
    }),
    archive: createS3ArchiveSink(s3opts),
    deadLetter: createS3DeadLetterSink(s3opts),
  };
  const enrich = createEnrichment(config);
  const rules = opts.alerts === false ? [] : compileAlertRules(config.alerts);
  if (rules.length === 0) return { config, sinks, enrich };
  const webhooks = createWebhookBook({
    refs: rules.map((r) => r.webhook),
    defaultRef: env.slackWebhookParam ? `ssm:${env.slackWebhookParam}` : undefined,
    override: env.slackWebhookUrl,
  });
  sinks.alert = createAlertSink({
    config: config.alerts,
    state: createOpenSearchAlertState({ client: opensearch, index: config.alerts.state_index }),
    slack: createSlackClient(),
    webhooks,
    region: env.region,
    ...discoverLinks(env.opensearchUrl),
  });
  return { config, sinks, webhooks, enrich };
}

/** What alert links need to open Discover: the Dashboards of an AWS endpoint, and logferry's index pattern ids. */
function discoverLinks(opensearchUrl: string | undefined) {
  return {
    dashboardsUrl: opensearchUrl ? dashboardsUrlOf(opensearchUrl) : undefined,
    indexPatternOf: (prefix: string) => indexPatternId(prefix, 'all'),
  };
}

export interface DryRunAlertSink extends AlertSink {
  /** Messages in the order they would go, each with the webhook reference it would go to. */
  messages: { webhook: string; message: SlackMessage }[];
}

/**
 * The real alert stage with in-memory state and a Slack that only records, for `replay --dry-run`:
 * no Slack, no OpenSearch. Dedupe within one run behaves as it would live; across runs it starts afresh.
 *
 * @example
 * const sinks = { ...createRecordingSinks(), alert: createDryRunAlertSink(config.alerts) };
 */
export function createDryRunAlertSink(
  config: AlertsConfig,
  region?: string,
  /** Where Discover links would point, as in Lambda: an AWS endpoint's Dashboards is derived from it. */
  opensearchUrl?: string,
): DryRunAlertSink {
  const messages: DryRunAlertSink['messages'] = [];
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
    ...discoverLinks(opensearchUrl),
  });
  return { ...sink, messages };
}
