// The index templates log indices are created from: typed ECS fields, `app` as flat_object, settings from logferry.yml.
import { createHash } from 'node:crypto';
import type { Client } from '@opensearch-project/opensearch';
import type { Config } from '#shared/config/schema.ts';
import { LOG_TYPES } from '#shared/model.ts';
import { LOG_MAPPINGS } from './log-mappings.ts';

export { KEYWORD_IGNORE_ABOVE, LOG_MAPPINGS } from './log-mappings.ts';

/**
 * Stored fields (`_source`) compressed with DEFLATE instead of LZ4: log documents repeat their keys and
 * much of their text, and the 2.19 distribution has no zstd without the custom-codecs plugin. Store
 * per bench document, flushed and merged to one segment: nginx 677 → 516 bytes, JSON 717 → 602,
 * FireLens 896 → 675 (bench/README.md).
 */
export const INDEX_CODEC = 'best_compression';

export interface TemplateSettings {
  shards?: number;
  replicas?: number;
  refreshInterval?: string;
  /** OpenSearch Serverless manages shards, replicas and refresh itself and refuses those settings. */
  serverless?: boolean;
}

/** Every index prefix the configuration can write to. */
export function indexPrefixes(config: Config): string[] {
  return [
    ...new Set([
      config.index.prefix,
      ...config.routes.flatMap((r) => (r.index_prefix ? [r.index_prefix] : [])),
    ]),
  ];
}

/** Index patterns of one prefix: `<prefix>-<log.type>-*`. */
export function indexPatterns(prefix: string): string[] {
  return LOG_TYPES.map((t) => `${prefix}-${t}-*`);
}

/** One template per prefix, so two pipelines (or test runs) on one cluster never overwrite each other's. */
export function templateName(prefix: string): string {
  return `logferry-${prefix}`;
}

/** A short digest of a body, stored in it, so a second run can tell nothing changed without deep-comparing. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

/**
 * The composable index template for `<prefix>-<type>-*` indices.
 *
 * @example
 * await client.indices.putIndexTemplate({ name: 'logferry-logs', body: logIndexTemplate(['logs']) });
 */
export function logIndexTemplate(prefixes: readonly string[], settings: TemplateSettings = {}) {
  const indexSettings = settings.serverless
    ? {}
    : {
        number_of_shards: settings.shards ?? 1,
        number_of_replicas: settings.replicas ?? 1,
        refresh_interval: settings.refreshInterval ?? '5s',
        'mapping.total_fields.limit': 2000,
        codec: INDEX_CODEC,
      };
  const body = {
    index_patterns: prefixes.flatMap(indexPatterns),
    priority: 200,
    template: { settings: indexSettings, mappings: LOG_MAPPINGS },
  };
  return { ...body, _meta: { managed_by: 'logferry', hash: contentHash(body) } };
}

/** Template settings from logferry.yml's `index` section; `overrides` win (tests use 0 replicas, 1s refresh). */
export function templateSettings(
  config: Config,
  overrides: TemplateSettings = {},
): TemplateSettings {
  return {
    shards: config.index.shards,
    replicas: config.index.replicas,
    refreshInterval: config.index.refresh_interval,
    ...overrides,
  };
}

export interface TemplateResult {
  name: string;
  status: 'created' | 'updated' | 'unchanged';
}

/**
 * Installs one template per index prefix; a template whose stored hash matches is left alone, so a
 * second run sends no write.
 */
export async function installTemplates(
  client: Client,
  config: Config,
  overrides: TemplateSettings = {},
): Promise<TemplateResult[]> {
  const settings = templateSettings(config, overrides);
  const results: TemplateResult[] = [];
  for (const prefix of indexPrefixes(config)) {
    const name = templateName(prefix);
    const body = logIndexTemplate([prefix], settings);
    const existing = await client.indices.getIndexTemplate({ name }, { ignore: [404] });
    const found = (
      existing.body as { index_templates?: { index_template?: { _meta?: { hash?: string } } }[] }
    ).index_templates?.[0];
    if (found?.index_template?._meta?.hash === body._meta.hash) {
      results.push({ name, status: 'unchanged' });
      continue;
    }
    await client.indices.putIndexTemplate({ name, body: body as never });
    results.push({ name, status: found ? 'updated' : 'created' });
  }
  return results;
}
