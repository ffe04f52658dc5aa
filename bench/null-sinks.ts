// In-process sinks that do the sinks' CPU work (bulk NDJSON, archive rows, optionally gzip) and no I/O.
import type { ClientRequest, IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { Client, Connection } from '@opensearch-project/opensearch';
import { BULK_GZIP_LEVEL } from '#shared/clients/opensearch-gzip.ts';
import type { Config } from '#shared/config/schema.ts';
import { archiveRow } from '#shared/sinks/archive-keys.ts';
import { gzipNdjson } from '#shared/sinks/ndjson.ts';
import { createOpenSearchSink } from '#shared/sinks/opensearch/sink.ts';
import { createRecordingSinks } from '#shared/sinks/recording.ts';
import type { Sinks } from '#shared/sinks/types.ts';

export interface NullSinkOptions {
  /**
   * Also compress what would be sent: each bulk body as the client does (BULK_GZIP_LEVEL) and each
   * archive object as the S3 sink does (the configured level).
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
 * A connection that answers every bulk request "created" for each item without leaving the process. The
 * client above it is real, so the bulk helper, the transport's NDJSON assembly and the response parsing
 * are measured along with the sink.
 */
function nullConnection(onBody: (body: string) => void): typeof Connection {
  return class NullConnection extends Connection {
    override request(
      params: Parameters<Connection['request']>[0],
      callback: Parameters<Connection['request']>[1],
    ): ReturnType<Connection['request']> {
      const text = String((params as { body?: unknown }).body ?? '');
      onBody(text);
      // As OpenSearch answers: every item in full, or what a `filter_path` keeps of it.
      const query = String((params as { querystring?: unknown }).querystring ?? '');
      const item = query.includes('filter_path=')
        ? '{"index":{"status":201}}'
        : '{"index":{"_index":"logs-access-2025.11.20","_id":"1f9e8d7c6b5a49382716f5e4d3c2b1a0f9e8d7c6","_version":1,"result":"created","_shards":{"total":1,"successful":1,"failed":0},"_seq_no":1234,"_primary_term":1,"status":201}}';
      const answer = `{"took":1,"errors":false,"items":[${Array.from({ length: countDocs(text) }, () => item).join(',')}]}`;
      const response = Object.assign(Readable.from([answer]), {
        statusCode: 200,
        headers: { 'content-type': 'application/json; charset=UTF-8' },
      });
      process.nextTick(callback, null, response as unknown as IncomingMessage);
      return { abort() {} } as unknown as ClientRequest;
    }
  };
}

function nullClient(onBody: (body: string) => void): Client {
  return new Client({
    node: 'http://127.0.0.1:9',
    Connection: nullConnection(onBody),
    maxRetries: 0,
  });
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
    if (opts.gzip) bytes.bulkGzip += gzipSync(body, { level: BULK_GZIP_LEVEL }).length;
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
      // As shared/runtime.ts wires it: the index copy without the raw line the archive keeps.
      omitOriginal: config.archive.enabled,
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
