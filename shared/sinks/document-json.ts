// Serialises a document once: its bulk line and its archive row are most often the same JSON text.
import { boundedStringify } from '#shared/bounded-json.ts';
import type { LogDocument } from '#shared/model.ts';

const texts = new WeakMap<LogDocument, string>();

/**
 * `JSON.stringify(doc)`, remembered while the document lives: the index and archive sinks both need it
 * (~3 µs per document each). Sinks never change a document; they truncate or degrade a copy.
 *
 * @example
 * documentJson(item.doc) === JSON.stringify(item.doc) // true, and the second call is a lookup
 */
export function documentJson(doc: LogDocument): string {
  let text = texts.get(doc);
  if (text === undefined) {
    text = boundedStringify(doc);
    texts.set(doc, text);
  }
  return text;
}
