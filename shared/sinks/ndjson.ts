// NDJSON + gzip encoding of archive and dead-letter objects.
import { gzip, gzipSync } from 'node:zlib';

/**
 * The rows as NDJSON bytes, written straight into one buffer: no joined string of the whole object on
 * the heap to be copied again into a buffer for gzip.
 *
 * @example
 * ndjsonBuffer(['{"a":1}', '{"b":2}']).toString() // '{"a":1}\n{"b":2}\n'
 */
export function ndjsonBuffer(rows: readonly string[]): Buffer {
  let bytes = rows.length;
  for (const row of rows) bytes += Buffer.byteLength(row);
  const out = Buffer.allocUnsafe(bytes);
  let at = 0;
  for (const row of rows) {
    at += out.write(row, at);
    out[at++] = 0x0a;
  }
  return out;
}

/**
 * The rows as one gzipped NDJSON object, on this thread.
 *
 * @example
 * gunzipSync(gzipNdjson(['{"a":1}'], 1)).toString() // '{"a":1}\n'
 */
export function gzipNdjson(rows: readonly string[], level: number): Buffer {
  return gzipSync(ndjsonBuffer(rows), { level });
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
    gzip(ndjsonBuffer(rows), { level }, (err, out) => (err ? reject(err) : resolve(out))),
  );
}
