// The fields an index mapping declares, flattened to dotted paths, and what a search engine can do with each. Pure.

/** One mapped field: `http.response.status_code` → `long`; multi-fields (`user_agent.original.keyword`) included. */
export interface MappedField {
  path: string;
  /** The OpenSearch field type: keyword, text, long, date, ip, flat_object, … */
  type: string;
  /** `index: false` fields can be neither searched nor aggregated. */
  searchable: boolean;
  /** Has doc values: terms, ranges, histograms and metrics can run on it. */
  aggregatable: boolean;
  /** For a multi-field, the field it is a view of. */
  parent?: string;
}

interface MappingNode {
  type?: string;
  index?: boolean;
  doc_values?: boolean;
  properties?: Record<string, MappingNode>;
  fields?: Record<string, MappingNode>;
}

export const NUMERIC_TYPES: ReadonlySet<string> = new Set([
  'long',
  'integer',
  'short',
  'byte',
  'double',
  'float',
  'half_float',
  'scaled_float',
  'unsigned_long',
]);

/** Types whose values live in doc values by default; text and flat_object do not aggregate. */
const DOC_VALUE_TYPES: ReadonlySet<string> = new Set([
  ...NUMERIC_TYPES,
  'keyword',
  'date',
  'date_nanos',
  'ip',
  'boolean',
]);

function field(path: string, node: MappingNode, parent?: string): MappedField {
  const type = node.type ?? 'object';
  const searchable = node.index !== false;
  return {
    path,
    type,
    searchable,
    aggregatable: DOC_VALUE_TYPES.has(type) && node.doc_values !== false,
    ...(parent ? { parent } : {}),
  };
}

/**
 * Every leaf of a mapping's `properties`, depth first in declaration order, each followed by its
 * multi-fields.
 *
 * @example
 * mappedFields(LOG_MAPPINGS).find((f) => f.path === 'event.duration') // { type: 'long', aggregatable: true, … }
 */
export function mappedFields(mappings: { properties: object }): MappedField[] {
  const out: MappedField[] = [];
  const walk = (properties: Record<string, MappingNode>, prefix: string) => {
    for (const [name, node] of Object.entries(properties)) {
      const path = prefix ? `${prefix}.${name}` : name;
      if (node.properties && !node.type) {
        walk(node.properties, path);
        continue;
      }
      out.push(field(path, node));
      for (const [sub, subNode] of Object.entries(node.fields ?? {}))
        out.push(field(`${path}.${sub}`, subNode, path));
    }
  };
  walk(mappings.properties as Record<string, MappingNode>, '');
  return out;
}

/** Field types each aggregation accepts (OpenSearch refuses the rest, or Dashboards hides the field). */
export const AGG_FIELD_TYPES: Readonly<Record<string, ReadonlySet<string>>> = {
  terms: new Set([...NUMERIC_TYPES, 'keyword', 'ip', 'date', 'boolean']),
  cardinality: new Set([...NUMERIC_TYPES, 'keyword', 'ip', 'date', 'boolean']),
  date_histogram: new Set(['date', 'date_nanos']),
  range: NUMERIC_TYPES,
  histogram: NUMERIC_TYPES,
  sum: NUMERIC_TYPES,
  avg: NUMERIC_TYPES,
  min: new Set([...NUMERIC_TYPES, 'date']),
  max: new Set([...NUMERIC_TYPES, 'date']),
  percentiles: NUMERIC_TYPES,
};

/**
 * Why an aggregation cannot run on a field of this type, or undefined when it can. `top_hits` reads
 * `_source`, so any field will do.
 *
 * @example
 * aggFieldProblem('terms', { path: 'message', type: 'text', aggregatable: false, searchable: true }) // 'text …'
 */
export function aggFieldProblem(agg: string, f: MappedField | undefined): string | undefined {
  if (agg === 'top_hits' || agg === 'top_hit') return f ? undefined : 'no such field';
  if (!f) return 'no such field';
  const types = AGG_FIELD_TYPES[agg];
  if (!types) return `unknown aggregation ${agg}`;
  if (!types.has(f.type)) return `${f.type} is not a type ${agg} accepts`;
  if (!f.aggregatable) return `${f.type} without doc values cannot be aggregated`;
  return undefined;
}
