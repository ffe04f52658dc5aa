// Prepares an OpenSearch cluster for logferry: index templates always, retention policies where ISM exists, Dashboards objects where a Dashboards is known.
import type { Client } from '@opensearch-project/opensearch';
import type { ImportResult } from '#shared/clients/dashboards.ts';
import { sigv4Service } from '#shared/clients/opensearch.ts';
import type { ResolvedEndpoint } from '#shared/clients/opensearch-endpoint.ts';
import type { Config } from '#shared/config/schema.ts';
import { errorMessage } from '#shared/errors.ts';
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
import { dashboardObjects, toNdjson } from './dashboards/generate.ts';

/** Where the Dashboards objects go: the base URL (for the report) and the import call, handed in. */
export interface DashboardsTarget {
  url: string;
  import(ndjson: string): Promise<ImportResult>;
}

export interface DashboardsReport {
  url: string;
  /** Objects the export holds, and how many Dashboards took. */
  objects: number;
  imported: number;
  /** Objects Dashboards refused, as `type id: reason`. */
  errors: string[];
}

export interface BootstrapReport {
  endpoint: string;
  templates: TemplateResult[];
  retention: RetentionResult[];
  /** Why no retention policy was installed, when none was. */
  retentionSkipped?: string;
  /** The Dashboards import, when a Dashboards URL was given or derived. */
  dashboards?: DashboardsReport;
  /** Why no Dashboards objects were imported, when none were. */
  dashboardsSkipped?: string;
  /** Things the operator should know (VPC endpoint, writes without ids, templates only apply to new indices). */
  notes: string[];
}

/**
 * Imports logferry's saved objects (generated from `config`) with overwrite: only objects whose ids
 * the export holds, all `logferry-…`, are replaced.
 *
 * @example
 * const report = await importDashboards({ url, import: (f) => importSavedObjects({ url }, f) }, config);
 */
export async function importDashboards(
  target: DashboardsTarget,
  config: Config,
): Promise<DashboardsReport> {
  const objects = dashboardObjects(config);
  const result = await target.import(toNdjson(objects));
  return {
    url: target.url,
    objects: objects.length,
    imported: result.successCount,
    errors: (result.errors ?? []).map((e) => `${e.type} ${e.id}: ${e.error.type}`),
  };
}

/**
 * Installs the index templates, when `index.retention_days` is set and the cluster has ISM the
 * retention policies, and when a Dashboards target is given the saved objects. Idempotent: a second
 * run reports the templates `unchanged` and writes no template (the import overwrites to the same).
 *
 * @example
 * const report = await bootstrapOpenSearch(client, config, { url: 'http://127.0.0.1:9200' });
 */
export async function bootstrapOpenSearch(
  client: Client,
  config: Config,
  endpoint: ResolvedEndpoint,
  overrides: TemplateSettings = {},
  dashboards?: DashboardsTarget,
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
  if (dashboards) {
    // The templates are in place whatever Dashboards says: report its failure, do not lose the rest.
    try {
      report.dashboards = await importDashboards(dashboards, config);
    } catch (err) {
      report.dashboards = {
        url: dashboards.url,
        objects: 0,
        imported: 0,
        errors: [errorMessage(err)],
      };
    }
  } else
    report.dashboardsSkipped =
      'no OpenSearch Dashboards URL (DASHBOARDS_URL or --dashboards-url), and the endpoint is no AWS domain to derive one from';
  return report;
}
