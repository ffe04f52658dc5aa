// In-process sinks that do the sinks' CPU work (bulk NDJSON, archive rows, optionally gzip) and no I/O.
import { gzipSync } from 'node:zlib';
import type { Client } from '@opensearch-project/opensearch';
import type { Config } from '#shared/config/schema.ts';
import { archiveRow } from '#shared/sinks/archive-keys.ts';
import { createRecordingSinks } from '#shared/sinks/dry-run.ts';
import { gzipNdjson } from '#shared/sinks/ndjson.ts';
import { createOpenSearchSink } from '#shared/sinks/opensearch.ts';
import type { Sinks } from '#shared/sinks/types.ts';

export interface NullSinkOptions {
  /**
   * Also compress what would be sent: each bulk body as the client's transport does (zlib's default
   * level) and each archive object as the S3 sink does (the configured level).
   */
  gzip?: boolean;
  /** Keep every bulk body, as sent, for the raw-bulk ceiling. */
  capture?: boolean;
}

export interface NullSinks extends Sinks {
  /** Bytes that would have gone out: bulk and archive NDJSON, and their gzipped sizes when `gzip`. */
  bytes: { bulk: number; archive: number; bulkGzip: number; archiveGzip: number };
  /** The bulk bodies, in order, when `capture`. */
  bodies: { body: string; docs: number }[];
}

/** Items in an NDJSON bulk body of index actions: two lines each. */
function countDocs(body: string): number {
  let lines = 0;
  for (let i = body.indexOf('\n'); i >= 0; i = body.indexOf('\n', i + 1)) lines++;
  return lines / 2;
}

/**
 * An OpenSearch client whose bulk call answers "created" for every item without leaving the process, so
 * the real sink's serialisation, packing and result handling are what gets measured.
 */
function nullClient(onBody: (body: string) => void): Client {
  const bulk = async ({ body }: { body: unknown }) => {
    const text = body as string;
    onBody(text);
    const items = Array.from({ length: countDocs(text) }, () => ({ index: { status: 201 } }));
    return { body: { took: 1, errors: false, items }, statusCode: 200 };
  };
  return { bulk } as unknown as Client;
}

/**
 * Sinks for the CPU benchmark: the real OpenSearch sink over a null client, and an archive sink that
 * serialises (and optionally compresses) its rows; nothing is sent anywhere.
 *
 * @example
 * const sinks = createNullSinks(config, { gzip: true });
 */
export function createNullSinks(config: Config, opts: NullSinkOptions = {}): NullSinks {
  const bytes = { bulk: 0, archive: 0, bulkGzip: 0, archiveGzip: 0 };
  const bodies: NullSinks['bodies'] = [];
  const client = nullClient((body) => {
    bytes.bulk += body.length;
    if (opts.gzip) bytes.bulkGzip += gzipSync(body).length;
    if (opts.capture) bodies.push({ body, docs: countDocs(body) });
  });
  return {
    bytes,
    bodies,
    index: createOpenSearchSink({
      client,
      bulkBytes: config.opensearch.bulk_bytes,
      concurrency: config.opensearch.concurrency,
      maxFieldBytes: config.opensearch.max_field_bytes,
    }),
    archive: {
      async archive(objects) {
        for (const o of objects) {
          const rows = o.items.map(archiveRow);
          for (const row of rows) bytes.archive += row.length + 1;
          if (opts.gzip) bytes.archiveGzip += gzipNdjson(rows, config.archive.gzip_level).length;
        }
        return { written: objects.map((o) => o.key), failed: [] };
      },
    },
    deadLetter: createRecordingSinks().deadLetter,
  };
}
