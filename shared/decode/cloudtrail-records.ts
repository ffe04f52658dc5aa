// Expands a CloudTrail log file's `Records` array into its records as the bytes stream in, without holding the file.
import { DecodeError } from '#shared/errors.ts';
import type { ObjectItem, ReadObjectOptions } from './s3-object.ts';

const C = {
  Quote: 0x22,
  Backslash: 0x5c,
  OpenObj: 0x7b,
  CloseObj: 0x7d,
  OpenArr: 0x5b,
  CloseArr: 0x5d,
  Colon: 0x3a,
  Comma: 0x2c,
} as const;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/**
 * The elements of a CloudTrail file's top-level `Records` array, each as its raw JSON text, found by
 * a byte scanner that tracks strings and nesting: one record is held at a time, never the file, and
 * each byte is looked at once (ESF's `expand_event_list_from_field`, without parsing the file).
 *
 * @example
 * for await (const batch of cloudTrailRecords(gunzipped, { maxLineBytes: 1 << 20 })) …
 */
export async function* cloudTrailRecords(
  chunks: AsyncIterable<Buffer>,
  opts: ReadObjectOptions,
): AsyncGenerator<ObjectItem[]> {
  const skipTo = opts.afterLine ?? 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let key = '';
  let capturingKey = false;
  let afterColon = false;
  let lastKey = '';
  let inRecords = false;
  let sawRecords = false;
  let closed = false;
  let index = 0;
  let pos = 0;
  let parts: Buffer[] = [];
  let held = 0;
  let elemStart = -1;
  let oversized = false;
  for await (const chunk of chunks) {
    const batch: ObjectItem[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (b === C.Backslash) escaped = true;
        else if (b === C.Quote) {
          inString = false;
          if (capturingKey) {
            lastKey = key;
            capturingKey = false;
          }
        } else if (capturingKey && key.length < 16) key += String.fromCharCode(b);
        continue;
      }
      if (closed) {
        if (!isSpace(b))
          throw new DecodeError('data after the end of the CloudTrail JSON object', 'json');
        continue;
      }
      if (depth === 0 && !isSpace(b) && b !== C.OpenObj)
        throw new DecodeError('not a CloudTrail log file (no JSON object)', 'json');
      switch (b) {
        case C.Quote:
          inString = true;
          if (depth === 1 && !afterColon) {
            capturingKey = true;
            key = '';
          }
          break;
        case C.Colon:
          if (depth === 1) afterColon = true;
          break;
        case C.Comma:
          if (depth === 1) afterColon = false;
          break;
        case C.OpenObj:
        case C.OpenArr:
          if (depth === 1 && b === C.OpenArr && afterColon && lastKey === 'Records') {
            inRecords = true;
            sawRecords = true;
          }
          if (depth === 2 && inRecords && b === C.OpenObj) elemStart = i;
          depth++;
          break;
        case C.CloseObj:
        case C.CloseArr:
          depth--;
          if (depth < 0) throw new DecodeError('unbalanced JSON in CloudTrail file', 'json');
          if (depth === 2 && inRecords && b === C.CloseObj && elemStart >= 0) {
            index++;
            const tail = chunk.subarray(elemStart, i + 1);
            const bytes = held + tail.length;
            if (index > skipTo) {
              if (oversized || bytes > opts.maxLineBytes)
                batch.push({ line: index, end: pos + i + 1, bytes });
              else {
                const text = (parts.length ? Buffer.concat([...parts, tail]) : tail).toString(
                  'utf8',
                );
                batch.push({ line: index, text, end: pos + i + 1 });
              }
            }
            parts = [];
            held = 0;
            oversized = false;
            elemStart = -1;
          } else if (depth === 1 && inRecords && b === C.CloseArr) inRecords = false;
          else if (depth === 0) closed = true;
          break;
      }
    }
    if (elemStart >= 0) {
      const tail = chunk.subarray(elemStart);
      held += tail.length;
      if (held > opts.maxLineBytes || index + 1 <= skipTo) {
        oversized ||= held > opts.maxLineBytes;
        parts = [];
      } else parts.push(Buffer.from(tail));
      elemStart = 0;
    }
    pos += chunk.length;
    if (batch.length) yield batch;
  }
  if (!closed)
    throw new DecodeError('CloudTrail file ends before its JSON object does (truncated)', 'json');
  if (!sawRecords) throw new DecodeError('CloudTrail file has no Records array', 'shape');
}
