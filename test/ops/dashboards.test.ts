import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ATHENA_FILE, DASHBOARDS_FILE, generatedFiles } from '#scripts/dashboards.ts';
import { parseConfig } from '#shared/config/file.ts';
import {
  DashboardsDefinitionError,
  dashboardObjects,
  dashboardsMarkdown,
  templateSource,
  toNdjson,
} from '#shared/ops/dashboards/generate.ts';
import type { SavedObject } from '#shared/ops/dashboards/saved-objects.ts';
import { aggFieldProblem, type MappedField } from '#shared/ops/template-fields.ts';

interface VisState {
  type: string;
  aggs: { type: string; schema: string; params: { field?: string } }[];
  params: { index_pattern?: string; time_field?: string };
}

/** The shipped export, parsed line by line (the summary line apart). */
function shipped(): SavedObject[] {
  const lines = readFileSync(DASHBOARDS_FILE, 'utf8').trimEnd().split('\n');
  const summary = JSON.parse(lines.pop()!);
  const objects = lines.map((l) => JSON.parse(l) as SavedObject);
  expect(summary).toEqual({
    exportedCount: objects.length,
    missingRefCount: 0,
    missingReferences: [],
  });
  return objects;
}

const json = (o: SavedObject, key: string) => JSON.parse(o.attributes[key] as string);
const meta = (o: SavedObject) =>
  JSON.parse((o.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string }).searchSourceJSON);

/** The fields an index pattern object declares, by name, as the template fields they came from. */
function patternFields(o: SavedObject): Map<string, MappedField & { scripted: boolean }> {
  const fields = json(o, 'fields') as {
    name: string;
    esTypes?: string[];
    aggregatable: boolean;
    searchable: boolean;
    scripted: boolean;
  }[];
  return new Map(
    fields.map((f) => [
      f.name,
      {
        path: f.name,
        type: f.esTypes?.[0] ?? (f.scripted ? 'keyword' : 'unknown'),
        aggregatable: f.aggregatable,
        searchable: f.searchable,
        scripted: f.scripted,
      },
    ]),
  );
}

describe('dashboards/logferry.ndjson', () => {
  const objects = shipped();
  const byId = new Map(objects.map((o) => [o.id, o]));

  it('is what npm run dashboards makes from logferry.yml and the template (run it after changing either)', () => {
    const files = generatedFiles('logferry.yml');
    expect(readFileSync(DASHBOARDS_FILE, 'utf8')).toBe(files[DASHBOARDS_FILE]);
    expect(readFileSync(ATHENA_FILE, 'utf8')).toBe(files[ATHENA_FILE]);
  });

  it('parses: every JSON-in-a-string attribute is JSON, and ids are unique and logferry-…', () => {
    for (const o of objects) {
      expect(o.id).toMatch(/^logferry-[a-z0-9-]+$/);
      if (o.type === 'index-pattern') {
        expect(Array.isArray(json(o, 'fields'))).toBe(true);
        json(o, 'fieldFormatMap');
        expect(o.attributes.timeFieldName).toBe('@timestamp');
      }
      if (o.type === 'visualization') {
        expect(json(o, 'visState').title).toBe(o.attributes.title);
        json(o, 'uiStateJSON');
      }
      if (o.type === 'dashboard') {
        expect(Array.isArray(json(o, 'panelsJSON'))).toBe(true);
        json(o, 'optionsJSON');
      }
      if (o.type !== 'index-pattern') meta(o);
    }
    expect(byId.size).toBe(objects.length);
    expect(objects.map((o) => o.type).sort()).toEqual(
      expect.arrayContaining(['index-pattern', 'search', 'visualization', 'dashboard']),
    );
  });

  it('has the index patterns of the shipped prefix and the alert-state index', () => {
    const patterns = objects
      .filter((o) => o.type === 'index-pattern')
      .map((o) => o.attributes.title);
    expect(patterns.sort()).toEqual(
      ['logferry-alerts', 'logs-*', 'logs-access-*', 'logs-application-*', 'logs-error-*'].sort(),
    );
  });

  it('references resolve: index refs, panel refs and TSVB index patterns name objects in the file', () => {
    const titles = new Set(
      objects.filter((o) => o.type === 'index-pattern').map((o) => o.attributes.title),
    );
    for (const o of objects) {
      for (const r of o.references) {
        expect([o.id, r.name, byId.get(r.id)?.type]).toEqual([o.id, r.name, r.type]);
      }
      if (o.type === 'search' || o.type === 'visualization') {
        const source = meta(o);
        const names = o.references.map((r) => r.name);
        if (source.indexRefName) expect(names).toContain(source.indexRefName);
        const vis = o.type === 'visualization' ? (json(o, 'visState') as VisState) : undefined;
        if (vis?.type === 'metrics') {
          expect(titles).toContain(vis.params.index_pattern);
          expect(source.indexRefName).toBeUndefined();
        } else expect(source.indexRefName).toBe('kibanaSavedObjectMeta.searchSourceJSON.index');
      }
      if (o.type === 'dashboard') {
        const panels = json(o, 'panelsJSON') as {
          panelRefName: string;
          gridData: { x: number; w: number };
        }[];
        expect(panels.map((p) => p.panelRefName).sort()).toEqual(
          o.references.map((r) => r.name).sort(),
        );
        for (const p of panels) expect(p.gridData.x + p.gridData.w).toBeLessThanOrEqual(48);
      }
    }
    const dashboards = objects.filter((o) => o.type === 'dashboard').map((o) => o.attributes.title);
    expect(dashboards).toEqual([
      '[logs] logferry Access',
      '[logs] logferry Errors',
      '[logs] logferry Application',
      '[logs] logferry Pipeline',
    ]);
  });

  it('every aggregated field is in its index pattern with a type the aggregation accepts', () => {
    let checked = 0;
    for (const o of objects.filter((x) => x.type === 'visualization')) {
      const vis = json(o, 'visState') as VisState;
      const ref = o.references.find((r) => r.type === 'index-pattern');
      const pattern =
        vis.type === 'metrics'
          ? objects.find((x) => x.attributes.title === vis.params.index_pattern)
          : byId.get(ref?.id ?? '');
      const fields = patternFields(pattern!);
      const aggs =
        vis.type === 'metrics'
          ? [{ type: 'date_histogram', params: { field: vis.params.time_field } }]
          : vis.aggs.filter((a) => a.params.field);
      for (const a of aggs) {
        const f = fields.get(a.params.field!);
        const agg = a.type === 'top_hit' ? 'top_hits' : a.type;
        const problem = f?.scripted ? undefined : aggFieldProblem(agg, f);
        expect([o.id, a.params.field, problem]).toEqual([o.id, a.params.field, undefined]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(15);
  });

  it('saved search columns are fields of their index pattern', () => {
    for (const o of objects.filter((x) => x.type === 'search')) {
      const fields = patternFields(byId.get(o.references[0]!.id)!);
      for (const c of o.attributes.columns as string[])
        expect([o.id, fields.has(c)]).toEqual([o.id, true]);
    }
  });
});

describe('dashboardObjects', () => {
  it('follows the configured prefixes: every route prefix gets its own patterns and dashboards', () => {
    // Prepare
    const config = parseConfig({
      version: 1,
      index: { prefix: 'acme' },
      routes: [{ name: 'edge', match: { log_group: '/edge/**' }, index_prefix: 'edge' }],
      alerts: { state_index: 'acme-alerts' },
    });
    // Act
    const text = toNdjson(dashboardObjects(config));
    const objects = text
      .trimEnd()
      .split('\n')
      .slice(0, -1)
      .map((l) => JSON.parse(l) as SavedObject);
    // Assess
    const titles = objects.filter((o) => o.type === 'index-pattern').map((o) => o.attributes.title);
    expect(titles).toEqual(
      expect.arrayContaining(['acme-*', 'acme-error-*', 'edge-*', 'edge-access-*', 'acme-alerts']),
    );
    expect(objects.filter((o) => o.type === 'dashboard')).toHaveLength(8);
    expect(text).not.toContain('logs-');
    expect(new Set(objects.map((o) => o.id)).size).toBe(objects.length);
  });

  it('refuses a panel whose field the template lacks or cannot aggregate', () => {
    // Prepare: a template without event.duration, and one where url.original is text.
    const source = templateSource();
    const without = {
      ...source,
      logFields: source.logFields.filter((f) => f.path !== 'event.duration'),
    };
    const asText = {
      ...source,
      logFields: source.logFields.map((f) =>
        f.path === 'url.original' ? { ...f, type: 'text', aggregatable: false } : f,
      ),
    };
    const config = parseConfig({ version: 1 });
    // Act / Assess
    expect(() => dashboardObjects(config, without)).toThrow(DashboardsDefinitionError);
    expect(() => dashboardObjects(config, without)).toThrow(
      /access-latency: percentiles on event\.duration: no such field/,
    );
    expect(() => dashboardObjects(config, asText)).toThrow(
      /access-top-urls: terms on url\.original: text is not a type terms accepts/,
    );
  });

  it('lists every panel for the README', () => {
    const md = dashboardsMarkdown('logs');
    for (const title of [
      'Latency p50 / p95 / p99',
      'Top fingerprints (alerts sent)',
      'Levels over time',
    ])
      expect(md).toContain(title);
    expect(md).toContain('percentiles(`event.duration`)');
  });
});
