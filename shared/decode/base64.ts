// Strict base64 decoding: Node's decoder silently skips bad characters, which would hide corrupt input.
import { DecodeError } from '#shared/errors.ts';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function decodeBase64(text: string): Buffer {
  const clean = text.replace(/[\r\n]/g, '');
  if (clean.length === 0) throw new DecodeError('empty base64 payload', 'empty');
  if (clean.length % 4 !== 0 || !BASE64.test(clean)) {
    // Not base64 means it reads as it came: text, kept (masked) as such.
    throw new DecodeError('payload is not valid base64', 'base64', { text });
  }
  return Buffer.from(clean, 'base64');
}
