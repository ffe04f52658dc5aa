// Serialises a document once: its bulk line and its archive row are most often the same JSON text, or that text less `event.original`.
import { boundedStringify } from '#shared/bounded-json.ts';
import type { LogDocument } from '#shared/model.ts';

/**
 * Where a document keeps its JSON text: a non-enumerable symbol property, which neither JSON, nor
 * spreading, nor `Object.assign`, nor key iteration sees, so no copy of the document inherits it. A
 * WeakMap did the same at ~1.5 µs more per document (set, get and the ephemeron work in every GC).
 */
const TEXT = Symbol('logferry.documentJson');

/**
 * `JSON.stringify(doc)` (bounded: a document nested too deep for the stack has its depths marked, bounded-json.ts), remembered while the document lives: the index and archive sinks both need it
 * (~3 µs per document each). Sinks never change a document; they truncate or degrade a copy.
 *
 * @example
 * documentJson(item.doc) === JSON.stringify(item.doc) // true, and the second call is a lookup
 */
export function documentJson(doc: LogDocument): string {
  let text = (doc as { [TEXT]?: string })[TEXT];
  if (text === undefined) {
    text = boundedStringify(doc);
    Object.defineProperty(doc, TEXT, { value: text });
  }
  return text;
}

/**
 * The document's JSON without `event.original`: the index copy when the archive keeps the raw line,
 * so the line is not stored twice in OpenSearch (once whole, once as the parsed fields it became). Cut
 * out of `documentJson(doc)` rather than serialised again; a document whose text is not laid out as
 * expected (original first in `event`, or not found) is serialised as a copy instead.
 *
 * @example
 * indexJson(doc) === JSON.stringify({ ...doc, event: { id: doc.event.id, dataset: doc.event.dataset } }) // for { id, dataset, original }
 */
export function indexJson(doc: LogDocument): string {
  const text = documentJson(doc);
  const { id, dataset, original } = doc.event;
  if (typeof original !== 'string') return text;
  // Before `event` come only `@timestamp` and `message`, strings whose quotes are escaped: the first
  // `"event":{` is the property. When its first keys are id and dataset, the third is at a known place,
  // and when that is `original` its string ends at the first quote not escaped: no second
  // serialisation of the raw line (FireLens lines are mostly escapes), no search through the text.
  const event = text.indexOf('"event":{');
  if (event >= 0 && typeof id === 'string' && typeof dataset === 'string') {
    const head = `"id":${JSON.stringify(id)},"dataset":${JSON.stringify(dataset)},"original":"`;
    const at = event + 9 + head.length - 13;
    if (text.startsWith(head, event + 9)) {
      const end = stringEnd(text, at + 13);
      if (end > 0) return text.slice(0, at) + text.slice(end + 1);
    }
  }
  const { original: _raw, ...rest } = doc.event;
  return boundedStringify({ ...doc, event: rest });
}

/** Index of the quote that closes the JSON string whose text starts at `from`, or -1. */
function stringEnd(text: string, from: number): number {
  for (let q = text.indexOf('"', from); q >= 0; q = text.indexOf('"', q + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(q - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return q;
  }
  return -1;
}
