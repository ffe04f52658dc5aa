// Builds OpenSearch Dashboards 2.x saved objects (export format): index patterns, searches, visualizations, dashboards. Pure.
import type { MappedField } from '#shared/ops/template-fields.ts';
import { NUMERIC_TYPES } from '#shared/ops/template-fields.ts';

export interface SavedObjectReference {
  name: string;
  type: string;
  id: string;
}

/** One line of an export file. */
export interface SavedObject {
  id: string;
  type: 'index-pattern' | 'search' | 'visualization' | 'dashboard';
  attributes: Record<string, unknown>;
  references: SavedObjectReference[];
  migrationVersion: Record<string, string>;
}

/** The versions of the saved-object migrations these shapes match (Dashboards 2.x carries them over from 7.10). */
const MIGRATION = {
  'index-pattern': '7.6.0',
  search: '7.9.3',
  visualization: '7.10.0',
  dashboard: '7.9.3',
} as const;

const INDEX_REF = 'kibanaSavedObjectMeta.searchSourceJSON.index';

/** Dashboards' own field type for an OpenSearch one (flat_object shows as a string since 2.x). */
export function dashboardsFieldType(type: string): string {
  if (NUMERIC_TYPES.has(type)) return 'number';
  if (type === 'keyword' || type === 'text' || type === 'flat_object') return 'string';
  if (type === 'date' || type === 'date_nanos') return 'date';
  if (type === 'ip' || type === 'boolean') return type;
  return 'unknown';
}

const META_FIELDS = [
  { name: '_id', type: 'string', esTypes: ['_id'], searchable: true, aggregatable: true },
  { name: '_index', type: 'string', esTypes: ['_index'], searchable: true, aggregatable: true },
  { name: '_score', type: 'number', searchable: false, aggregatable: false },
  {
    name: '_source',
    type: '_source',
    esTypes: ['_source'],
    searchable: false,
    aggregatable: false,
  },
];

/**
 * An index pattern whose field list is the mapping's, so Discover and the editors know every field
 * before any document arrives; Dashboards refreshes it from the cluster when asked.
 *
 * @example
 * indexPattern({ id: 'logferry-logs-index-pattern-all', title: 'logs-*', fields, timeField: '@timestamp' })
 */
export function indexPattern(opts: {
  id: string;
  title: string;
  fields: readonly MappedField[];
  timeField: string;
  formats?: Record<string, unknown>;
}): SavedObject {
  const fields = [
    ...META_FIELDS.map((f) => ({ count: 0, scripted: false, readFromDocValues: false, ...f })),
    ...opts.fields.map((f) => ({
      count: 0,
      name: f.path,
      type: dashboardsFieldType(f.type),
      esTypes: [f.type],
      scripted: false,
      searchable: f.searchable,
      aggregatable: f.aggregatable,
      readFromDocValues: f.aggregatable,
      ...(f.parent ? { subType: { multi: { parent: f.parent } } } : {}),
    })),
  ];
  return {
    id: opts.id,
    type: 'index-pattern',
    attributes: {
      title: opts.title,
      timeFieldName: opts.timeField,
      fields: JSON.stringify(fields),
      fieldFormatMap: JSON.stringify(opts.formats ?? {}),
    },
    references: [],
    migrationVersion: { 'index-pattern': MIGRATION['index-pattern'] },
  };
}

/** Search source of a visualization or search: a Lucene query on one index pattern. */
function searchSource(query: string): string {
  return JSON.stringify({
    query: { query, language: 'lucene' },
    filter: [],
    indexRefName: INDEX_REF,
  });
}

function indexReference(indexPatternId: string): SavedObjectReference {
  return { name: INDEX_REF, type: 'index-pattern', id: indexPatternId };
}

/**
 * A saved search (Discover view): columns shown, newest first.
 *
 * @example
 * savedSearch({ id, title: 'Errors', indexPatternId, columns: ['error.type', 'message'], query: '' })
 */
export function savedSearch(opts: {
  id: string;
  title: string;
  description?: string;
  indexPatternId: string;
  columns: readonly string[];
  query: string;
}): SavedObject {
  return {
    id: opts.id,
    type: 'search',
    attributes: {
      title: opts.title,
      description: opts.description ?? '',
      hits: 0,
      columns: [...opts.columns],
      sort: [['@timestamp', 'desc']],
      version: 1,
      kibanaSavedObjectMeta: { searchSourceJSON: searchSource(opts.query) },
    },
    references: [indexReference(opts.indexPatternId)],
    migrationVersion: { search: MIGRATION.search },
  };
}

/** One aggregation of a visState, as the visualization editor writes it. */
export interface VisAgg {
  id: string;
  enabled: true;
  type: string;
  schema: string;
  params: Record<string, unknown>;
}

/**
 * A visualization from its visState type, params and aggregations. TSVB (`metrics`) has no aggs and no
 * index reference: it names its index pattern by title inside params.
 *
 * @example
 * visualization({ id, title, type: 'table', params: {}, aggs, indexPatternId, query: '' })
 */
export function visualization(opts: {
  id: string;
  title: string;
  description?: string;
  type: string;
  params: Record<string, unknown>;
  aggs: readonly VisAgg[];
  indexPatternId?: string;
  query: string;
}): SavedObject {
  const visState = { title: opts.title, type: opts.type, aggs: opts.aggs, params: opts.params };
  return {
    id: opts.id,
    type: 'visualization',
    attributes: {
      title: opts.title,
      visState: JSON.stringify(visState),
      uiStateJSON: '{}',
      description: opts.description ?? '',
      version: 1,
      kibanaSavedObjectMeta: {
        searchSourceJSON: opts.indexPatternId
          ? searchSource(opts.query)
          : JSON.stringify({ query: { query: '', language: 'lucene' }, filter: [] }),
      },
    },
    references: opts.indexPatternId ? [indexReference(opts.indexPatternId)] : [],
    migrationVersion: { visualization: MIGRATION.visualization },
  };
}

/** A panel of a dashboard: what it shows and how much of the 48-column grid it takes. */
export interface DashboardPanel {
  ref: { id: string; type: 'visualization' | 'search' };
  w: number;
  h: number;
}

/** Lays panels out left to right in rows of 48 columns, each row as tall as its tallest panel. */
function layout(panels: readonly DashboardPanel[]) {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return panels.map((p, i) => {
    if (x + p.w > 48) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const grid = { x, y, w: p.w, h: p.h, i: String(i + 1) };
    x += p.w;
    rowHeight = Math.max(rowHeight, p.h);
    return grid;
  });
}

/**
 * A dashboard of visualizations and saved searches, referenced as `panel_<n>`, last 24 hours by default.
 *
 * @example
 * dashboard({ id, title: 'Access', description, panels: [{ ref: { id: visId, type: 'visualization' }, w: 24, h: 15 }] })
 */
export function dashboard(opts: {
  id: string;
  title: string;
  description: string;
  panels: readonly DashboardPanel[];
}): SavedObject {
  const grids = layout(opts.panels);
  const panelsJSON = opts.panels.map((_, i) => ({
    version: '7.10.2',
    gridData: grids[i],
    panelIndex: String(i + 1),
    embeddableConfig: {},
    panelRefName: `panel_${i}`,
  }));
  return {
    id: opts.id,
    type: 'dashboard',
    attributes: {
      title: opts.title,
      hits: 0,
      description: opts.description,
      panelsJSON: JSON.stringify(panelsJSON),
      optionsJSON: JSON.stringify({ hidePanelTitles: false, useMargins: true }),
      version: 1,
      timeRestore: true,
      timeFrom: 'now-24h',
      timeTo: 'now',
      refreshInterval: { pause: true, value: 0 },
      kibanaSavedObjectMeta: {
        searchSourceJSON: JSON.stringify({ query: { query: '', language: 'lucene' }, filter: [] }),
      },
    },
    references: opts.panels.map((p, i) => ({ name: `panel_${i}`, type: p.ref.type, id: p.ref.id })),
    migrationVersion: { dashboard: MIGRATION.dashboard },
  };
}
