// JSON nesting bounds: tells a too-deep JSON text before it is parsed, and serialises any value without overflowing the stack.

/**
 * Deepest nesting any JSON value may reach inside the pipeline, whatever logferry.yml says: JSON.parse
 * builds 100,000 levels without complaint, but JSON.stringify and every recursive walk overflow the
 * stack at a few thousand. `decode.max_json_depth` (default 64) is the bound users see; this one is
 * the safety net of code that runs without the configuration.
 */
export const MAX_JSON_DEPTH = 256;

/** Default of `decode.max_json_depth`. */
export const DEFAULT_JSON_DEPTH = 64;

/**
 * Whether the brackets of `text` nest deeper than `max`, strings skipped. Linear, and most lines
 * cost only an indexOf count: fewer than `max` opening brackets cannot nest deeper.
 *
 * @example
 * jsonDepthExceeds('{"a":{"b":1}}', 1) // true
 * jsonDepthExceeds('{"a":"{{{{"}', 1) // false
 */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let opening = 0;
  for (let i = text.indexOf('{'); i >= 0 && opening <= max; i = text.indexOf('{', i + 1)) opening++;
  for (let i = text.indexOf('['); i >= 0 && opening <= max; i = text.indexOf('[', i + 1)) opening++;
  if (opening <= max) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * Parses `text` as JSON unless it nests deeper than `max` (`tooDeep`) or is not JSON (`undefined`).
 *
 * @example
 * parseBoundedJson('{"a":1}', 64) // { value: { a: 1 } }
 */
export function parseBoundedJson(
  text: string,
  max: number = MAX_JSON_DEPTH,
): { value: unknown } | { tooDeep: true } | undefined {
  if (jsonDepthExceeds(text, max)) return { tooDeep: true };
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/** A copy of `value` whose objects deeper than `max` are replaced by a marker; recursion bounded by `max`. */
function pruned(value: unknown, max: number, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= max) return `[nested deeper than ${max}]`;
  if (Array.isArray(value)) return value.map((v) => pruned(v, max, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    Object.defineProperty(out, k, {
      value: pruned(v, max, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/**
 * `JSON.stringify(value)`, or, when the value nests too deep for the stack, the same with what lies
 * deeper than MAX_JSON_DEPTH replaced by a marker: serialising a dead-letter entry, an archive row or
 * a dry-run line never throws for its shape.
 *
 * @example
 * boundedStringify({ a: 1 }) // '{"a":1}'
 */
export function boundedStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return JSON.stringify(pruned(value, MAX_JSON_DEPTH, 0)) ?? 'null';
  }
}
