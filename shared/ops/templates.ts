// The index templates log indices are created from: typed ECS fields, `app` as flat_object, settings from logferry.yml.
import { createHash } from 'node:crypto';
import type { Client } from '@opensearch-project/opensearch';
import type { Config } from '#shared/config/schema.ts';
import { LOG_TYPES } from '#shared/model.ts';

/** Longest keyword kept in doc values: Lucene's term limit is 32766 bytes, 8191 four-byte characters. */
export const KEYWORD_IGNORE_ABOVE = 8191;

const keyword = { type: 'keyword', ignore_above: KEYWORD_IGNORE_ABOVE };
const text = { type: 'text' };
const textWithKeyword = {
  type: 'text',
  fields: { keyword: { type: 'keyword', ignore_above: 1024 } },
};
const long = { type: 'long' };
const date = { type: 'date' };
// A line that writes `unix:` or a hostname where an IP belongs must not be rejected for it.
const ip = { type: 'ip', ignore_malformed: true };
// Label and annotation keys are chosen by every team: one field each, whatever the keys.
const flat = { type: 'flat_object' };
const obj = (properties: Record<string, unknown>) => ({ properties });

/** ECS fields logferry writes, typed; anything else in the ECS namespaces is mapped dynamically as keyword. */
export const LOG_MAPPINGS = {
  dynamic_templates: [
    {
      strings_as_keyword: {
        match_mapping_type: 'string',
        mapping: { type: 'keyword', ignore_above: 1024 },
      },
    },
  ],
  properties: {
    '@timestamp': date,
    message: text,
    tags: keyword,
    app: flat,
    event: obj({
      id: keyword,
      dataset: keyword,
      original: { type: 'text', index: false },
      duration: long,
      action: keyword,
      reason: text,
      created: date,
      ingested: date,
    }),
    log: obj({
      type: keyword,
      level: keyword,
      logger: keyword,
      file: obj({ path: keyword }),
      syslog: obj({
        priority: long,
        version: long,
        msgid: keyword,
        facility: obj({ code: long, name: keyword }),
        severity: obj({ code: long, name: keyword }),
      }),
    }),
    process: obj({ pid: long, name: keyword, thread: obj({ name: keyword, id: long }) }),
    host: obj({ hostname: keyword, name: keyword }),
    aws: obj({
      cloudwatch: obj({ log_group: keyword, log_stream: keyword }),
      ecs: obj({ cluster: keyword, task_arn: keyword, task_definition: keyword }),
      kinesis: obj({
        stream: keyword,
        shard_id: keyword,
        partition_key: keyword,
        sequence_number: keyword,
      }),
    }),
    cloud: obj({ provider: keyword, region: keyword, account: obj({ id: keyword }) }),
    container: obj({
      id: keyword,
      name: keyword,
      stream: keyword,
      runtime: keyword,
      image: obj({ name: keyword, tag: keyword, hash: obj({ all: keyword }) }),
    }),
    kubernetes: obj({
      namespace: keyword,
      pod: obj({ name: keyword, uid: keyword, ip }),
      node: obj({ name: keyword }),
      container: obj({ name: keyword }),
      labels: flat,
      annotations: flat,
    }),
    source: obj({ ip, port: long, address: keyword, bytes: long }),
    destination: obj({ ip, port: long, address: keyword, bytes: long }),
    client: obj({ ip, port: long }),
    network: obj({ forwarded_ip: ip }),
    user: obj({ name: keyword }),
    http: obj({
      version: keyword,
      request: obj({ method: keyword, referrer: keyword, bytes: long }),
      response: obj({ status_code: long, bytes: long, body: obj({ bytes: long }) }),
    }),
    url: obj({
      original: { ...keyword, fields: { text } },
      domain: keyword,
      path: keyword,
      query: keyword,
    }),
    user_agent: obj({ original: textWithKeyword }),
    error: obj({
      type: keyword,
      code: keyword,
      message: text,
      stack_trace: { type: 'text', index: true },
    }),
    faas: obj({ execution: keyword }),
  },
} as const;

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
