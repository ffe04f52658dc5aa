// Cuts over-long strings in the index copy of a document (tag `_truncated`); the archive keeps them whole.
import type { LogDocument } from '#shared/model.ts';

/** Cuts `s` to at most `maxBytes` UTF-8 bytes without splitting a character. */
export function cutUtf8(s: string, maxBytes: number): string {
  const buf = Buffer.from(s, 'utf8');
  if (buf.length <= maxBytes) return s;
  let end = maxBytes;
  // Back up over continuation bytes (10xxxxxx) so the cut lands on a character boundary.
  while (end > 0 && ((buf[end] ?? 0) & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}

function tooLong(s: string, maxBytes: number): boolean {
  // A string of n UTF-16 units holds at most 3n UTF-8 bytes: most values skip the byte count.
  return s.length * 3 > maxBytes && Buffer.byteLength(s, 'utf8') > maxBytes;
}

/** Whether every string in `value` fits: nearly always, so it is checked first and without allocating. */
function fits(value: unknown, maxBytes: number): boolean {
  if (typeof value === 'string') return !tooLong(value, maxBytes);
  if (typeof value !== 'object' || value === null) return true;
  if (Array.isArray(value)) {
    for (const v of value) if (!fits(v, maxBytes)) return false;
    return true;
  }
  for (const k in value) {
    if (Object.hasOwn(value, k) && !fits((value as Record<string, unknown>)[k], maxBytes))
      return false;
  }
  return true;
}

function cut(value: unknown, maxBytes: number): { value: unknown; changed: boolean } {
  if (typeof value === 'string') {
    return tooLong(value, maxBytes)
      ? { value: cutUtf8(value, maxBytes), changed: true }
      : { value, changed: false };
  }
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const r = cut(v, maxBytes);
      changed ||= r.changed;
      return r.value;
    });
    return changed ? { value: out, changed } : { value, changed };
  }
  if (typeof value === 'object' && value !== null) {
    let out: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(value)) {
      const r = cut(v, maxBytes);
      if (r.changed) {
        out ??= { ...(value as Record<string, unknown>) };
        out[k] = r.value;
      }
    }
    return out ? { value: out, changed: true } : { value, changed: false };
  }
  return { value, changed: false };
}

/**
 * The document as it may be indexed: unchanged (same object) when every string fits, otherwise a copy
 * with long strings cut and `_truncated` in `tags`.
 */
export function truncateForIndex(doc: LogDocument, maxBytes: number): LogDocument {
  if (fits(doc, maxBytes)) return doc;
  const r = cut(doc, maxBytes);
  if (!r.changed) return doc;
  const out = r.value as LogDocument;
  out.tags = [...(doc.tags ?? []), '_truncated'];
  return out;
}
