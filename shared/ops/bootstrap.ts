// Prepares an OpenSearch cluster for logferry: index templates always, retention policies where ISM exists.
import type { Client } from '@opensearch-project/opensearch';
import { sigv4Service } from '#shared/clients/opensearch.ts';
import type { ResolvedEndpoint } from '#shared/clients/opensearch-endpoint.ts';
import type { Config } from '#shared/config/schema.ts';
import {
  installRetentionPolicy,
  ismAvailability,
  type RetentionResult,
} from '#shared/ops/retention.ts';
import {
  indexPrefixes,
  installTemplates,
  type TemplateResult,
  type TemplateSettings,
} from '#shared/ops/templates.ts';
import { documentIdPolicy } from '#shared/sinks/opensearch/document-ids.ts';

export interface BootstrapReport {
  endpoint: string;
  templates: TemplateResult[];
  retention: RetentionResult[];
  /** Why no retention policy was installed, when none was. */
  retentionSkipped?: string;
  /** Things the operator should know (VPC endpoint, writes without ids, templates only apply to new indices). */
  notes: string[];
}

/**
 * Installs the index templates and, when `index.retention_days` is set and the cluster has ISM, the
 * retention policies. Idempotent: a second run reports everything `unchanged` and writes nothing.
 *
 * @example
 * const report = await bootstrapOpenSearch(client, config, { url: 'http://127.0.0.1:9200' });
 */
export async function bootstrapOpenSearch(
  client: Client,
  config: Config,
  endpoint: ResolvedEndpoint,
  overrides: TemplateSettings = {},
): Promise<BootstrapReport> {
  const serverless = sigv4Service(endpoint.url) === 'aoss';
  const notes: string[] = [];
  if (endpoint.domain)
    notes.push(
      `domain ${endpoint.domain} resolved to ${endpoint.url}${endpoint.vpc ? ' (VPC endpoint: reachable from inside the VPC only)' : ''}`,
    );
  const ids = documentIdPolicy(endpoint.url, config.opensearch.serverless_collection_type);
  if (ids.warning) notes.push(ids.warning);

  const templates = await installTemplates(client, config, { ...overrides, serverless });
  if (templates.some((t) => t.status !== 'unchanged')) {
    notes.push(
      'templates apply to indices created from now on; existing daily indices keep their mapping until the next day',
    );
  }

  const report: BootstrapReport = { endpoint: endpoint.url, templates, retention: [], notes };
  const days = config.index.retention_days;
  if (days === undefined) {
    report.retentionSkipped =
      'index.retention_days is not set in logferry.yml: indices are kept until deleted';
  } else if (serverless) {
    report.retentionSkipped =
      'OpenSearch Serverless has no ISM: set retention with a data lifecycle policy on the collection instead';
  } else {
    const ism = await ismAvailability(client);
    if (!ism.available) {
      report.retentionSkipped = `the Index State Management plugin is not installed on this cluster (${ism.reason}); no retention policy installed (the local integ-test distribution ships without plugins)`;
    } else {
      for (const prefix of indexPrefixes(config))
        report.retention.push(await installRetentionPolicy(client, prefix, days));
    }
  }
  return report;
}
