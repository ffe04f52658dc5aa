// NDJSON + gzip encoding of archive and dead-letter objects.
import { gzip, gzipSync } from 'node:zlib';

const text = (rows: readonly string[]) => `${rows.join('\n')}\n`;

/**
 * The rows as one gzipped NDJSON object, on this thread.
 *
 * @example
 * gunzipSync(gzipNdjson(['{"a":1}'], 1)).toString() // '{"a":1}\n'
 */
export function gzipNdjson(rows: readonly string[], level: number): Buffer {
  return gzipSync(text(rows), { level });
}

/**
 * The same bytes as `gzipNdjson`, compressed on libuv's thread pool: the main thread goes on
 * serialising and sending bulks meanwhile (a 1 MB event's archive object takes ~3 ms to compress).
 *
 * @example
 * const body = await gzipNdjsonAsync(rows, config.archive.gzip_level);
 */
export function gzipNdjsonAsync(rows: readonly string[], level: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    gzip(text(rows), { level }, (err, out) => (err ? reject(err) : resolve(out))),
  );
}
