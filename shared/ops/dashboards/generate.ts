// The Dashboards export logferry ships, made from the configuration's index prefixes and the index template's fields. Pure.
import { ALERT_STATE_MAPPINGS } from '#shared/alerts/state.ts';
import type { Config } from '#shared/config/schema.ts';
import { LOG_TYPES } from '#shared/model.ts';
import { aggFieldProblem, type MappedField, mappedFields } from '#shared/ops/template-fields.ts';
import { indexPrefixes, LOG_MAPPINGS } from '#shared/ops/templates.ts';
import {
  indexPatternId,
  indexPatternTitle,
  OBJECT_ID_PREFIX,
  objectId,
  type PatternScope,
} from './ids.ts';
import { DASHBOARDS, type Panel } from './panels.ts';
import {
  dashboard,
  indexPattern,
  type SavedObject,
  savedSearch,
  visualization,
} from './saved-objects.ts';
import { ratioParams, visStateOf } from './vis-state.ts';

/** A panel names a field the template does not have, or one its aggregation cannot use. */
export class DashboardsDefinitionError extends Error {
  constructor(readonly problems: string[]) {
    super(`dashboards: ${problems.join('; ')}`);
    this.name = 'DashboardsDefinitionError';
  }
}

const LOG_FORMATS = {
  'event.duration': {
    id: 'duration',
    params: { inputFormat: 'nanoseconds', outputFormat: 'asMilliseconds', outputPrecision: 1 },
  },
  'http.response.body.bytes': { id: 'bytes' },
};

export interface DashboardsSource {
  /** Fields of the log index template, flattened. */
  logFields: readonly MappedField[];
  /** Fields of the alert-state index. */
  alertFields: readonly MappedField[];
}

/** The fields the shipped templates declare; tests hand in others to see a wrong panel refused. */
export function templateSource(): DashboardsSource {
  return { logFields: mappedFields(LOG_MAPPINGS), alertFields: mappedFields(ALERT_STATE_MAPPINGS) };
}

/** The fields a panel aggregates (with the aggregation) and the ones it only shows. */
export function panelFields(p: Panel): { aggregated: [string, string][]; shown: string[] } {
  if (p.kind === 'search') return { aggregated: [], shown: p.columns };
  if (p.kind === 'ratio') return { aggregated: [['date_histogram', '@timestamp']], shown: [] };
  const aggregated: [string, string][] = [];
  for (const m of p.metrics) if (m.type !== 'count') aggregated.push([m.type, m.field]);
  for (const b of p.buckets) {
    if (b.type === 'date_histogram') aggregated.push(['date_histogram', '@timestamp']);
    else if (b.type !== 'filters') aggregated.push([b.type, b.field]);
  }
  return { aggregated, shown: [] };
}

function check(panels: readonly Panel[], source: DashboardsSource): void {
  const problems: string[] = [];
  const logs = new Map(source.logFields.map((f) => [f.path, f]));
  const alerts = new Map(source.alertFields.map((f) => [f.path, f]));
  for (const p of panels) {
    const fields = p.scope === 'alerts' ? alerts : logs;
    const { aggregated, shown } = panelFields(p);
    for (const [agg, path] of aggregated) {
      const problem = aggFieldProblem(agg === 'top_hit' ? 'top_hits' : agg, fields.get(path));
      if (problem) problems.push(`${p.name}: ${agg} on ${path}: ${problem}`);
    }
    for (const path of shown)
      if (!fields.has(path)) problems.push(`${p.name}: column ${path}: no such field`);
  }
  if (problems.length > 0) throw new DashboardsDefinitionError(problems);
}

function alertPatternId(stateIndex: string): string {
  return `${OBJECT_ID_PREFIX}alert-state-${stateIndex}`;
}

function panelObject(p: Panel, prefix: string, stateIndex: string, title: string): SavedObject {
  const patternId =
    p.scope === 'alerts'
      ? alertPatternId(stateIndex)
      : indexPatternId(prefix, p.scope as PatternScope);
  const common = { title, description: p.description };
  if (p.kind === 'search') {
    return savedSearch({
      ...common,
      id: objectId(prefix, 'search', p.name),
      indexPatternId: patternId,
      columns: p.columns,
      query: p.query,
    });
  }
  if (p.kind === 'ratio') {
    const pattern = indexPatternTitle(prefix, p.scope as PatternScope);
    return visualization({
      ...common,
      id: objectId(prefix, 'vis', p.name),
      type: 'metrics',
      params: ratioParams({ indexPattern: pattern, numerator: p.numerator, label: p.label }),
      aggs: [],
      query: '',
    });
  }
  return visualization({
    ...common,
    id: objectId(prefix, 'vis', p.name),
    ...visStateOf(p),
    indexPatternId: patternId,
    query: p.query ?? '',
  });
}

/**
 * Every saved object for every index prefix the configuration writes to: index patterns (`<prefix>-*`
 * and one per log type, fields from the template), the alert-state index pattern, saved searches,
 * visualizations and the access, errors, application and pipeline dashboards. Throws when a panel
 * names a field the template lacks or cannot aggregate.
 *
 * @example
 * const ndjson = toNdjson(dashboardObjects(loadConfig('logferry.yml')));
 */
export function dashboardObjects(
  config: Config,
  source: DashboardsSource = templateSource(),
): SavedObject[] {
  check(
    DASHBOARDS.flatMap((d) => d.panels),
    source,
  );
  const stateIndex = config.alerts.state_index;
  const objects: SavedObject[] = [
    indexPattern({
      id: alertPatternId(stateIndex),
      title: stateIndex,
      fields: source.alertFields,
      timeField: '@timestamp',
    }),
  ];
  for (const prefix of indexPrefixes(config)) {
    for (const scope of ['all', ...LOG_TYPES] as PatternScope[]) {
      objects.push(
        indexPattern({
          id: indexPatternId(prefix, scope),
          title: indexPatternTitle(prefix, scope),
          fields: source.logFields,
          timeField: '@timestamp',
          formats: LOG_FORMATS,
        }),
      );
    }
    for (const d of DASHBOARDS) {
      const panels = d.panels.map((p) =>
        panelObject(p, prefix, stateIndex, `[${prefix}] ${p.title}`),
      );
      objects.push(...panels);
      objects.push(
        dashboard({
          id: objectId(prefix, 'dashboard', d.name),
          title: `[${prefix}] logferry ${d.title}`,
          description: d.description,
          panels: panels.map((o, i) => ({
            ref: { id: o.id, type: o.type as 'visualization' | 'search' },
            w: d.panels[i]?.w ?? 24,
            h: d.panels[i]?.kind === 'search' ? 18 : 14,
          })),
        }),
      );
    }
  }
  return objects;
}

/**
 * The export file: one object per line, then the summary line an export ends with (import skips it).
 *
 * @example
 * writeFileSync('dashboards/logferry.ndjson', toNdjson(objects));
 */
export function toNdjson(objects: readonly SavedObject[]): string {
  const lines = objects.map((o) => JSON.stringify(o));
  lines.push(
    JSON.stringify({ exportedCount: objects.length, missingRefCount: 0, missingReferences: [] }),
  );
  return `${lines.join('\n')}\n`;
}

/** A chart's aggregations as `count by date_histogram(@timestamp), terms(log.level)`. */
function describeChart(p: Extract<Panel, { kind: 'chart' }>): string {
  const metrics = p.metrics.map((m) =>
    m.type === 'count' ? 'count' : `${m.type}(\`${m.field}\`)`,
  );
  const buckets = p.buckets.map((b) =>
    b.type === 'date_histogram'
      ? 'date_histogram(`@timestamp`)'
      : b.type === 'filters'
        ? `filters(${b.filters.map((f) => `\`${f.query}\``).join(', ')})`
        : `${b.type}(\`${b.field}\`)`,
  );
  return `${metrics.join(', ')} by ${buckets.join(', ')}`;
}

/**
 * The dashboards and their panels as a Markdown list, for the README (what the export holds, not a
 * picture of a UI).
 *
 * @example
 * dashboardsMarkdown('logs')
 */
export function dashboardsMarkdown(prefix: string): string {
  const out: string[] = [];
  for (const d of DASHBOARDS) {
    out.push(`**[${prefix}] logferry ${d.title}** — ${d.description}`, '');
    for (const p of d.panels) {
      const what =
        p.kind === 'search'
          ? `saved search: ${p.columns.map((c) => `\`${c}\``).join(', ')}`
          : p.kind === 'ratio'
            ? `TSVB filter ratio: \`${p.numerator}\` / all`
            : `${p.chart}: ${describeChart(p)}`;
      const pattern =
        p.scope === 'alerts' ? 'alert-state index' : `\`${indexPatternTitle(prefix, p.scope)}\``;
      out.push(`- ${p.title} — ${what} · ${pattern}`);
    }
    out.push('');
  }
  return out.join('\n');
}
