// The index template every log index is created from: typed ECS fields, `app` as flat_object.
import type { Client } from '@opensearch-project/opensearch';
import type { Config } from '#shared/config/schema.ts';
import { LOG_TYPES } from '#shared/model.ts';

/** Longest keyword kept in doc values: Lucene's term limit is 32766 bytes, 8191 four-byte characters. */
export const KEYWORD_IGNORE_ABOVE = 8191;

const keyword = { type: 'keyword', ignore_above: KEYWORD_IGNORE_ABOVE };
const text = { type: 'text' };
const textWithKeyword = { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 1024 } } };
const long = { type: 'long' };
// A line that writes `unix:` or a hostname where an IP belongs must not be rejected for it.
const ip = { type: 'ip', ignore_malformed: true };

/** ECS fields logferry writes, typed; anything else in the ECS namespaces is mapped dynamically as keyword. */
export const LOG_MAPPINGS = {
  dynamic_templates: [
    { strings_as_keyword: { match_mapping_type: 'string', mapping: { type: 'keyword', ignore_above: 1024 } } },
  ],
  properties: {
    '@timestamp': { type: 'date' },
    message: text,
    tags: keyword,
    app: { type: 'flat_object' },
    event: {
      properties: {
        id: keyword,
        dataset: keyword,
        original: { type: 'text', index: false },
        duration: long,
        action: keyword,
        reason: text,
      },
    },
    log: { properties: { type: keyword, level: keyword, logger: keyword } },
    process: { properties: { pid: long, thread: { properties: { name: keyword, id: long } } } },
    aws: { properties: { cloudwatch: { properties: { log_group: keyword, log_stream: keyword } } } },
    cloud: { properties: { provider: keyword, region: keyword, account: { properties: { id: keyword } } } },
    source: { properties: { ip, port: long, address: keyword } },
    client: { properties: { ip, port: long } },
    network: { properties: { forwarded_ip: ip } },
    user: { properties: { name: keyword } },
    http: {
      properties: {
        version: keyword,
        request: { properties: { method: keyword, referrer: keyword } },
        response: { properties: { status_code: long, body: { properties: { bytes: long } } } },
      },
    },
    url: { properties: { original: { ...keyword, fields: { text } }, domain: keyword, path: keyword } },
    user_agent: { properties: { original: textWithKeyword } },
    error: { properties: { type: keyword, message: text, stack_trace: { type: 'text', index: true } } },
    faas: { properties: { execution: keyword } },
  },
} as const;

/** Every index prefix the configuration can write to. */
export function indexPrefixes(config: Config): string[] {
  return [...new Set([config.index.prefix, ...config.routes.flatMap((r) => (r.index_prefix ? [r.index_prefix] : []))])];
}

/**
 * The composable index template for `<prefix>-<type>-*` indices.
 *
 * @example
 * await client.indices.putIndexTemplate({ name: 'logferry-logs', body: logIndexTemplate(['logs']) });
 */
export function logIndexTemplate(prefixes: readonly string[], settings: { shards?: number; replicas?: number; refreshInterval?: string } = {}) {
  return {
    index_patterns: prefixes.flatMap((p) => LOG_TYPES.map((t) => `${p}-${t}-*`)),
    priority: 200,
    template: {
      settings: {
        number_of_shards: settings.shards ?? 1,
        number_of_replicas: settings.replicas ?? 1,
        refresh_interval: settings.refreshInterval ?? '5s',
        'mapping.total_fields.limit': 2000,
      },
      mappings: LOG_MAPPINGS,
    },
    _meta: { managed_by: 'logferry' },
  };
}

/** Installs (or updates) the log index template; idempotent. */
export async function installTemplates(client: Client, config: Config, settings: Parameters<typeof logIndexTemplate>[1] = {}): Promise<void> {
  await client.indices.putIndexTemplate({ name: 'logferry-logs', body: logIndexTemplate(indexPrefixes(config), settings) as never });
}
