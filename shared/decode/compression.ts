// Decompression with a hard cap on output size, so a zip bomb fails cleanly instead of exhausting memory.
import { gunzipSync, inflateSync } from 'node:zlib';
import { DecodeError } from '#shared/errors.ts';

export function isGzip(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
}

/** zlib stream header: CMF 0x78 and a check value making CMF*256+FLG a multiple of 31. */
export function isZlib(buf: Uint8Array): boolean {
  const cmf = buf[0];
  const flg = buf[1];
  if (buf.length < 2 || cmf === undefined || flg === undefined) return false;
  return (cmf & 0x0f) === 8 && (cmf * 256 + flg) % 31 === 0;
}

/**
 * Gunzips (or inflates zlib) `buf`, failing with `DecodeError('too_large')` past `maxBytes`.
 *
 * @example
 * const json = decompress(gzipped, 32 * 1024 * 1024).toString('utf8');
 */
export function decompress(buf: Buffer, maxBytes: number, expect?: 'gzip'): Buffer {
  const gzip = isGzip(buf);
  if (expect === 'gzip' && !gzip)
    throw new DecodeError('payload is not gzip data (no gzip magic bytes)', 'gzip');
  try {
    return gzip
      ? gunzipSync(buf, { maxOutputLength: maxBytes })
      : inflateSync(buf, { maxOutputLength: maxBytes });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || (err as RangeError).name === 'RangeError') {
      throw new DecodeError(`decompressed data exceeds ${maxBytes} bytes`, 'too_large', {
        cause: err,
      });
    }
    throw new DecodeError(
      `invalid ${gzip ? 'gzip' : 'zlib'} data: ${(err as Error).message}`,
      'gzip',
      { cause: err },
    );
  }
}
