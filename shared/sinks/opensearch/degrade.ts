// Degraded copies of documents OpenSearch rejected for their mapping: the offending fields move into `app`.
import type { LogDocument } from '#shared/model.ts';

export const MAPPING_DEGRADED_TAG = '_mapping_degraded';

/** Bulk item error types that mean "this document does not fit the index mapping". */
const MAPPING_ERRORS = new Set([
  'mapper_parsing_exception',
  'document_parsing_exception',
  'illegal_argument_exception',
  'strict_dynamic_mapping_exception',
]);

/** What makes a document what it is: never moved, or the degraded copy would lose its identity. */
const PROTECTED = new Set([
  '@timestamp',
  'message',
  'event.id',
  'event.dataset',
  'event.original',
  'log.type',
  'log.level',
  'tags',
]);
/** Top-level keys that stay; only their unprotected children move. */
const KEPT = new Set(['@timestamp', 'message', 'event', 'log', 'tags', 'app']);

interface BulkError {
  type?: string;
  reason?: string;
  caused_by?: BulkError;
}

export function isMappingError(error: unknown): boolean {
  const type = (error as BulkError | undefined)?.type;
  return typeof type === 'string' && MAPPING_ERRORS.has(type);
}

/**
 * The field an OpenSearch mapping error names, e.g. `failed to parse field [http.response.status_code]`,
 * `object mapping for [user] tried to parse field [user] as object`, `mapper [x] cannot be changed`.
 */
export function offendingField(error: unknown): string | undefined {
  for (let e = error as BulkError | undefined; e; e = e.caused_by) {
    const reason = e.reason ?? '';
    const m =
      /failed to parse field \[([^\]]+)\]/.exec(reason) ??
      /object mapping for \[([^\]]+)\]/.exec(reason) ??
      /non object mapping \[([^\]]+)\]/.exec(reason) ??
      /mapper \[([^\]]+)\]/.exec(reason) ??
      /field \[([^\]]+)\]/.exec(reason);
    if (m?.[1]) return m[1];
  }
  return undefined;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Removes `path` (dotted; also found as a literal dotted key) from `doc`; returns whether it was there. */
function take(doc: Obj, path: string): { found: boolean; value?: unknown } {
  const parts = path.split('.');
  for (let i = parts.length; i >= 1; i--) {
    // Try `a.b.c` as nested keys first, then with the tail as one literal key (`a` → `b.c`).
    const head = parts.slice(0, i - 1);
    const last = parts.slice(i - 1).join('.');
    const chain: Obj[] = [];
    let node: unknown = doc;
    for (const key of head) {
      if (isObj(node)) chain.push(node);
      node = isObj(node) ? node[key] : undefined;
    }
    if (isObj(node) && Object.hasOwn(node, last)) {
      const value = node[last];
      delete node[last];
      // Parents left empty go too: `http: { response: {} }` says nothing.
      for (let j = head.length - 1; j >= 0; j--) {
        const parent = chain[j]!;
        const child = parent[head[j]!];
        if (isObj(child) && Object.keys(child).length === 0) delete parent[head[j]!];
        else break;
      }
      return { found: true, value };
    }
  }
  return { found: false };
}

/** Leaves of `value` as dotted paths under `prefix`, for a flat_object that takes any key. */
function flatten(prefix: string, value: unknown, out: Obj): void {
  if (isObj(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) flatten(`${prefix}.${k}`, v, out);
  } else out[prefix] = value;
}

/** Moves every unprotected field into `app`: the last resort when the error names no field we can move. */
function moveAll(doc: Obj, app: Obj): void {
  for (const key of Object.keys(doc)) {
    if (!KEPT.has(key)) {
      flatten(key, doc[key], app);
      delete doc[key];
    } else if (key !== 'app' && isObj(doc[key])) {
      const node = doc[key] as Obj;
      for (const sub of Object.keys(node)) {
        if (PROTECTED.has(`${key}.${sub}`)) continue;
        flatten(`${key}.${sub}`, node[sub], app);
        delete node[sub];
      }
    }
  }
}

/**
 * A copy of `doc` that the index mapping accepts: the field the error names moves into `app` (a
 * flat_object, which takes any value) under its dotted path. When no field is named, or `whole` is set
 * (the first degraded copy was refused too), every non-core field moves there. The raw line is kept in
 * `event.original` and the copy is tagged `_mapping_degraded`.
 *
 * @example
 * degradeDocument(doc, { type: 'mapper_parsing_exception', reason: 'failed to parse field [http.response.status_code] …' }, raw)
 * // { …, app: { 'http.response.status_code': 'n/a' }, tags: ['_mapping_degraded'] }
 */
export function degradeDocument(
  doc: LogDocument,
  error: unknown,
  raw: string,
  whole = false,
): LogDocument {
  const copy = structuredClone(doc) as LogDocument & Obj;
  const app: Obj = isObj(copy.app) ? copy.app : {};
  const field = whole ? undefined : offendingField(error);
  const moved =
    field && !PROTECTED.has(field) && !field.startsWith('app.')
      ? take(copy, field)
      : { found: false };
  if (moved.found) flatten(field as string, moved.value, app);
  else moveAll(copy, app);
  copy.app = app;
  if (copy.event.original === undefined && raw !== copy.message) copy.event.original = raw;
  if (!copy.tags?.includes(MAPPING_DEGRADED_TAG))
    copy.tags = [...(copy.tags ?? []), MAPPING_DEGRADED_TAG];
  return copy;
}
