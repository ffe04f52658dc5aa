// The benchmark's own corner of the local stack: `bench*-*` indices and templates, the `logferry-bench` bucket.
import { readFileSync, writeFileSync } from 'node:fs';
import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Client } from '@opensearch-project/opensearch';
import { parse } from 'yaml';
import { logIndexTemplate } from '#shared/ops/templates.ts';

export const BENCH_PREFIX = 'bench';
/** Where the raw-bulk ceiling writes the same documents. */
export const RAW_PREFIX = 'benchraw';
/** Where the forwarder baseline writes (dynamic mapping, as the blueprint gets), and its ceiling. */
export const FORWARDER_PREFIX = 'benchfwd';
export const FORWARDER_RAW_PREFIX = 'benchfwdraw';
/** The alert state of the bench's handler (the shipped rules, the local Slack receiver). */
export const ALERT_STATE_INDEX = `${BENCH_PREFIX}-alerts`;
export const BENCH_BUCKET = 'logferry-bench';
const TEMPLATE = 'logferry-bench';
const FORWARDER_TEMPLATE = 'logferry-bench-forwarder';
const PREFIXES = [BENCH_PREFIX, RAW_PREFIX, FORWARDER_PREFIX, FORWARDER_RAW_PREFIX];

/**
 * logferry.yml as the user has it (redaction, archive and alert rules as shipped), but writing to
 * `bench-*` only (every route's own prefix removed, alert state in `bench-alerts`), so the benchmark
 * never touches anyone else's indices; alerts go to whatever SLACK_WEBHOOK_URL names (the local receiver).
 */
export function writeBenchConfig(source: string, target: string): void {
  const raw = (parse(readFileSync(source, 'utf8')) ?? {}) as Record<string, unknown>;
  raw.index = { ...((raw.index as object | undefined) ?? {}), prefix: BENCH_PREFIX };
  const routes = (raw.routes as Record<string, unknown>[] | undefined) ?? [];
  for (const route of routes) delete route.index_prefix;
  if (raw.alerts) raw.alerts = { ...(raw.alerts as object), state_index: ALERT_STATE_INDEX };
  // JSON is YAML: the loader reads it as it reads logferry.yml.
  writeFileSync(target, JSON.stringify(raw, null, 2));
}

async function benchIndices(client: Client): Promise<string[]> {
  const { body } = await client.cat.indices(
    { index: PREFIXES.map((p) => `${p}-*`).join(','), format: 'json' },
    { ignore: [404] },
  );
  return Array.isArray(body) ? (body as { index: string }[]).map((i) => i.index) : [];
}

/** Deletes the benchmark's indices by name (never by a wildcard other users' settings might refuse). */
export async function deleteBenchIndices(client: Client): Promise<number> {
  const names = await benchIndices(client);
  if (names.length) await client.indices.delete({ index: names.join(',') });
  return names.length;
}

export async function installBenchTemplate(client: Client, refreshInterval: string): Promise<void> {
  const body = logIndexTemplate([BENCH_PREFIX, RAW_PREFIX], { replicas: 0, refreshInterval });
  await client.indices.putIndexTemplate({ name: TEMPLATE, body: body as never });
}

/** The forwarder's indices: the same shards, replicas and refresh, no mapping (the blueprint installs none). */
export async function installForwarderTemplate(
  client: Client,
  refreshInterval: string,
): Promise<void> {
  const body = {
    index_patterns: [`${FORWARDER_PREFIX}-*`, `${FORWARDER_RAW_PREFIX}-*`],
    priority: 200,
    template: {
      settings: { number_of_shards: 1, number_of_replicas: 0, refresh_interval: refreshInterval },
    },
  };
  await client.indices.putIndexTemplate({ name: FORWARDER_TEMPLATE, body: body as never });
}

export async function deleteBenchTemplate(client: Client): Promise<void> {
  for (const name of [TEMPLATE, FORWARDER_TEMPLATE])
    await client.indices.deleteIndexTemplate({ name }, { ignore: [404] });
}

/** Empties and removes the benchmark's bucket (moto keeps objects in memory). */
export async function deleteBenchBucket(s3: S3Client): Promise<void> {
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: BENCH_BUCKET, ContinuationToken: token }),
    );
    const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
    if (keys.length)
      await s3.send(new DeleteObjectsCommand({ Bucket: BENCH_BUCKET, Delete: { Objects: keys } }));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  await s3.send(new DeleteBucketCommand({ Bucket: BENCH_BUCKET }));
}
