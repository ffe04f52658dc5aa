// NDJSON + gzip encoding of archive and dead-letter objects.
import { gzipSync } from 'node:zlib';

export function gzipNdjson(rows: readonly string[], level: number): Buffer {
  return gzipSync(`${rows.join('\n')}\n`, { level });
}
