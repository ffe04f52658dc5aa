// Points a fresh copy of the real handler at the local stack with its own index prefix, for integration tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { CloudWatchLogsEvent, KinesisStreamEvent } from 'aws-lambda';
import { localEnv } from '#scripts/local/stack.ts';
import { createOpenSearchClient } from '#shared/clients/opensearch.ts';
import { createS3Client } from '#shared/clients/s3.ts';
import { validatedConfigText } from '#shared/config/file.ts';
import { parseConfigText } from '#shared/config/yaml.ts';
import { installTemplates } from '#shared/ops/templates.ts';
import type { BatchSummary, KinesisResponse, SqsResponse } from '#shared/pipeline/outcome.ts';
import { lambdaContext } from '#test/helpers/lambda-context.ts';
import { ROOT } from './events.ts';

export interface LocalPipeline {
  prefix: string;
  bucket: string;
  /** Puts back the environment variables this pipeline set (the handler keeps what it read at import). */
  restoreEnv(): void;
  invoke(event: CloudWatchLogsEvent, timeoutMs?: number): Promise<BatchSummary>;
  /** The real Kinesis handler; the batch summary rides on the response under BATCH_SUMMARY. */
  invokeKinesis(event: KinesisStreamEvent, timeoutMs?: number): Promise<KinesisResponse>;
  /** The real S3 handler (SQS, EventBridge or S3 events); the summary rides on the response under BATCH_SUMMARY. */
  /** The real S3 handler on an SQS-delivered notification: the SQS partial batch response. */
  invokeS3(event: unknown, timeoutMs?: number): Promise<SqsResponse>;
  opensearch: ReturnType<typeof createOpenSearchClient>;
  s3: ReturnType<typeof createS3Client>;
  /** Documents in `<prefix>-*` after a refresh. */
  count(index?: string): Promise<number>;
  listKeys(prefix: string): Promise<string[]>;
  getObject(key: string): Promise<Buffer>;
}

/**
 * Writes a config with a unique index prefix, sets the handler's environment and imports it. Call once per
 * test file (vitest isolates modules per file, so each file gets its own cold start).
 */
export async function localPipeline(
  name: string,
  opts: {
    env?: Record<string, string>;
    yaml?: string;
    /** Which handler to load (one per test file); `invokeKinesis` needs 'kinesis', `invokeS3` 's3'. */
    handler?: 'cloudwatch-logs' | 'kinesis' | 's3';
    /** Settings of logferry.yml's `opensearch:` section (bulk_bytes, concurrency, …). */
    opensearch?: Record<string, number>;
    /** Another OpenSearch (a fault test's extra node): the handler, templates and counts all use it. */
    opensearchUrl?: string;
  } = {},
): Promise<LocalPipeline> {
  const prefix = `it-${name}-${process.pid}`;
  const dir = join(ROOT, '.local', 'test-config');
  mkdirSync(dir, { recursive: true });
  const os = JSON.stringify({ deadline_margin_ms: 1000, ...opts.opensearch });
  const yaml = `version: 1\nindex: { prefix: ${prefix} }\nopensearch: ${os}\n${opts.yaml ?? ''}`;
  const config = parseConfigText(yaml, `${prefix}.yml`);
  // The handler reads validated JSON only, as in Lambda (serverless package writes it from the YAML).
  const file = join(dir, `${prefix}.json`);
  writeFileSync(file, validatedConfigText(config, { file: `${prefix}.yml`, text: yaml }));
  // A bucket of its own keeps a test's archive keys apart from replays and other test files.
  const base = localEnv();
  const env: Record<string, string> = {
    ...base,
    ARCHIVE_BUCKET: prefix,
    LOGFERRY_CONFIG: file,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    ...(opts.opensearchUrl ? { OPENSEARCH_URL: opts.opensearchUrl } : {}),
    ...opts.env,
  };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  const opensearch = createOpenSearchClient({ url: opts.opensearchUrl ?? base.OPENSEARCH_URL! });
  await installTemplates(opensearch, config, {
    replicas: 0,
    refreshInterval: '1s',
  });
  const s3 = createS3Client({ region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL });
  const bucket = prefix;
  await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((err: Error) => {
    if (err.name !== 'BucketAlreadyOwnedByYou') throw err;
  });
  const { handler } =
    opts.handler === 'kinesis' || opts.handler === 's3'
      ? { handler: undefined }
      : await import('#functions/cloudwatch-logs.ts');
  const s3Handler = opts.handler === 's3' ? (await import('#functions/s3.ts')).handler : undefined;
  const kinesis =
    opts.handler === 'kinesis' ? (await import('#functions/kinesis.ts')).handler : undefined;
  return {
    prefix,
    restoreEnv() {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    },
    bucket,
    opensearch,
    s3,
    invoke: (event, timeoutMs = 20_000) => {
      if (!handler) throw new Error('this pipeline loaded the Kinesis handler');
      return handler(event, lambdaContext('it-ingest', timeoutMs)) as Promise<BatchSummary>;
    },
    invokeKinesis: (event, timeoutMs = 20_000) => {
      if (!kinesis)
        throw new Error("localPipeline(name, { handler: 'kinesis' }) loads the Kinesis handler");
      return kinesis(event, lambdaContext('it-ingest-kinesis', timeoutMs));
    },
    invokeS3: (event, timeoutMs = 20_000) => {
      if (!s3Handler)
        throw new Error("localPipeline(name, { handler: 's3' }) loads the S3 handler");
      return s3Handler(event, lambdaContext('it-ingest-s3', timeoutMs)) as Promise<SqsResponse>;
    },
    async count(index = `${prefix}-*`) {
      await opensearch.indices.refresh({ index, allow_no_indices: true });
      const { body } = await opensearch.count({ index, allow_no_indices: true } as never);
      return body.count;
    },
    async listKeys(keyPrefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const out = await s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: keyPrefix, ContinuationToken: token }),
        );
        keys.push(...(out.Contents ?? []).map((o) => o.Key!));
        token = out.NextContinuationToken;
      } while (token);
      return keys;
    },
    async getObject(key) {
      const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from(await out.Body!.transformToByteArray());
    },
  };
}
