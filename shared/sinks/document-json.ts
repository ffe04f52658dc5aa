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
  const original = doc.event.original;
  if (typeof original !== 'string') return text;
  const piece = `,"original":${JSON.stringify(original)}`;
  // Before `event` come only `@timestamp` and `message`, strings whose quotes are escaped, and inside
  // `event` only keys set before it (id, dataset): the first match after `"event":{` is the property.
  const event = text.indexOf('"event":{');
  const at = event < 0 ? -1 : text.indexOf(piece, event);
  if (at >= 0) return text.slice(0, at) + text.slice(at + piece.length);
  const { original: _raw, ...rest } = doc.event;
  return boundedStringify({ ...doc, event: rest });
}
