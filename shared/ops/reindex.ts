// Re-indexes archived documents (S3 archive rows are full documents) after an outage or a template change.
import { gunzipSync } from 'node:zlib';
import type { Config } from '#shared/config/schema.ts';
import { errorMessage } from '#shared/errors.ts';
import type { LogDocument, LogType, Routed } from '#shared/model.ts';
import type { DeadLetterEntry, DeadLetterSink, IndexSink } from '#shared/sinks/types.ts';
import { indexName, indexPrefix } from '#shared/transform/classify.ts';
import { selectRoute } from '#shared/transform/route.ts';

/** The log group (or Kinesis stream) a document came from, for routing it to the same index prefix. */
function origin(doc: LogDocument): { logGroup?: string; logStream?: string } {
  const aws = doc.aws as
    | {
        cloudwatch?: { log_group?: string; log_stream?: string };
        kinesis?: { stream?: string; partition_key?: string };
      }
    | undefined;
  if (aws?.kinesis) return { logGroup: aws.kinesis.stream, logStream: aws.kinesis.partition_key };
  return { logGroup: aws?.cloudwatch?.log_group, logStream: aws?.cloudwatch?.log_stream };
}

/**
 * Where an archived document goes: the index its route names today (so a changed prefix applies), under
 * its own `event.id`, or `<prefixOverride>-<log.type>-<day>` when one is given.
 */
export function routedFromArchive(
  doc: LogDocument,
  config: Config,
  prefixOverride?: string,
): Routed {
  const source = origin(doc);
  const prefix = prefixOverride ?? indexPrefix(config, selectRoute(config.routes, source));
  return {
    doc,
    index: indexName(prefix, doc.log.type as LogType, doc['@timestamp']),
    raw: doc.event.original ?? doc.message,
    recordId: `reindex:${doc.event.id}`,
    group: source.logGroup ?? 'unknown',
  };
}

export function archiveRows(gzipped: Buffer): LogDocument[] {
  const text = gunzipSync(gzipped).toString('utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LogDocument);
}

export interface ReindexProgress {
  objects: number;
  objectsDone: number;
  documents: number;
  indexed: number;
  degraded: number;
  rejected: number;
  /** Documents still failing transiently when their object's deadline came. */
  failed: number;
  key?: string;
  elapsedMs: number;
}

export interface ReindexDeps {
  keys: readonly string[];
  read(key: string): Promise<Buffer>;
  index: IndexSink;
  /** Originals of degraded documents and refused ones go here, as in the pipeline. */
  deadLetter: DeadLetterSink;
  config: Config;
  prefix?: string;
  /** Time allowed per archive object. */
  objectTimeoutMs?: number;
  onProgress?: (p: ReindexProgress) => void;
  now?: () => number;
}

/**
 * Indexes every row of every object under the same `_id` it had: running it twice changes nothing.
 *
 * @example
 * const totals = await reindexArchive({ keys, read, index, deadLetter, config });
 */
export async function reindexArchive(
  deps: ReindexDeps,
): Promise<ReindexProgress & { errors: string[] }> {
  const now = deps.now ?? Date.now;
  const start = now();
  const p: ReindexProgress = {
    objects: deps.keys.length,
    objectsDone: 0,
    documents: 0,
    indexed: 0,
    degraded: 0,
    rejected: 0,
    failed: 0,
    elapsedMs: 0,
  };
  const errors: string[] = [];
  for (const key of deps.keys) {
    let items: Routed[];
    try {
      items = archiveRows(await deps.read(key)).map((doc) =>
        routedFromArchive(doc, deps.config, deps.prefix),
      );
    } catch (err) {
      errors.push(`${key}: ${errorMessage(err)}`);
      p.objectsDone++;
      continue;
    }
    const results = await deps.index.index(items, now() + (deps.objectTimeoutMs ?? 300_000));
    const dead: DeadLetterEntry[] = [];
    results.forEach((r, i) => {
      const item = items[i]!;
      if (r.status === 'indexed' || r.status === 'degraded') p.indexed++;
      if (r.status === 'retry') {
        p.failed++;
        if (errors.length < 20 && !errors.includes(r.error)) errors.push(r.error);
      }
      if (r.status === 'degraded' || r.status === 'rejected') {
        if (r.status === 'degraded') p.degraded++;
        else p.rejected++;
        dead.push({
          recordId: item.recordId,
          error: r.error,
          reason: r.status === 'degraded' ? 'mapping_degraded' : 'rejected',
          attempts: 1,
          document: item.doc,
          raw: item.raw,
          source: { index: item.index, archive_key: key },
        });
      }
    });
    if (dead.length > 0) await deps.deadLetter.write(dead, now());
    p.documents += items.length;
    p.objectsDone++;
    p.elapsedMs = now() - start;
    deps.onProgress?.({ ...p, key });
  }
  p.elapsedMs = now() - start;
  return { ...p, errors };
}
