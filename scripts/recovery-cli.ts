// What redrive and reindex share: the environment (local stack by default), S3 listing and reading, progress lines.
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { type RuntimeEnv, readRuntimeEnv } from '#shared/config/env.ts';

/**
 * The runtime environment; without OPENSEARCH_URL the local stack's (DESIGN.md §5), so
 * `npm run redrive` works against `npm run stack -- up` as `npm run replay` does.
 */
export async function cliEnv(): Promise<RuntimeEnv> {
  if (!process.env.OPENSEARCH_URL) {
    const { localEnv } = await import('./local/stack.ts');
    Object.assign(process.env, localEnv());
  }
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  return readRuntimeEnv(process.env);
}

export async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const out = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    keys.push(...(out.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : [])));
    token = out.NextContinuationToken;
  } while (token);
  return keys.sort();
}

export async function readObject(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

export async function deleteObject(s3: S3Client, bucket: string, key: string): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}

/**
 * Progress on stderr: one line rewritten in place on a terminal, plain lines otherwise (CI logs, pipes).
 *
 * @example
 * const progress = progressLine(process.stderr);
 * progress.update('3/10 objects'); progress.done();
 */
export function progressLine(stream: NodeJS.WriteStream, enabled = true) {
  const tty = stream.isTTY === true;
  let shown = false;
  return {
    update(text: string): void {
      if (!enabled) return;
      if (tty) {
        stream.write(`\r\x1b[K${text}`);
        shown = true;
      } else stream.write(`${text}\n`);
    },
    done(): void {
      if (shown) stream.write('\n');
      shown = false;
    },
  };
}
