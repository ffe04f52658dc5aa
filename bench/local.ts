// The benchmark's own corner of the local stack: `bench-*` indices and template, the `logferry-bench` bucket.
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
export const BENCH_BUCKET = 'logferry-bench';
const TEMPLATE = 'logferry-bench';

/**
 * logferry.yml as the user has it, but writing to `bench-*` only (every route's own prefix removed) and
 * without Slack alert rules, so the benchmark never touches anyone else's indices or channels.
 */
export function writeBenchConfig(source: string, target: string): void {
  const raw = (parse(readFileSync(source, 'utf8')) ?? {}) as Record<string, unknown>;
  raw.index = { ...((raw.index as object | undefined) ?? {}), prefix: BENCH_PREFIX };
  const routes = (raw.routes as Record<string, unknown>[] | undefined) ?? [];
  for (const route of routes) delete route.index_prefix;
  delete raw.alerts;
  // JSON is YAML: the loader reads it as it reads logferry.yml.
  writeFileSync(target, JSON.stringify(raw, null, 2));
}

async function benchIndices(client: Client): Promise<string[]> {
  const { body } = await client.cat.indices(
    { index: `${BENCH_PREFIX}-*,${RAW_PREFIX}-*`, format: 'json' },
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

export async function deleteBenchTemplate(client: Client): Promise<void> {
  await client.indices.deleteIndexTemplate({ name: TEMPLATE }, { ignore: [404] });
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
