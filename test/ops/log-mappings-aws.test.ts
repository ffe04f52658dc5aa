// Every field the S3 sample objects produce has a mapping (or sits in a flat_object): nothing of theirs is left to dynamic mapping.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileObjectStore, samplesRoot } from '#scripts/local/s3-samples.ts';
import { parseConfig } from '#shared/config/file.ts';
import { LOG_MAPPINGS } from '#shared/ops/templates.ts';
import { createRecordingSinks } from '#shared/sinks/recording.ts';
import { ingestS3 } from '#shared/sources/s3.ts';
import { loadJson, ROOT } from '#test/helpers/events.ts';

type Mapping = { type?: string; properties?: Record<string, Mapping> };

/** Leaf paths of a document with no explicit mapping (flat_object and `app` subtrees count as mapped). */
function unmapped(
  value: unknown,
  mapping: Mapping | undefined,
  path: string,
  out: Set<string>,
): void {
  if (mapping?.type === 'flat_object') return;
  if (Array.isArray(value)) {
    for (const v of value) unmapped(v, mapping, path, out);
    return;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value))
      unmapped(v, mapping?.properties?.[k], path ? `${path}.${k}` : k, out);
    return;
  }
  if (!mapping?.type) out.add(path);
}

describe('AWS service log mappings', () => {
  it('type every field of every sample family', async () => {
    const dir = join(ROOT, 'events/s3');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(7);
    const missing = new Set<string>();
    const datasets = new Set<string>();
    for (const f of files) {
      const sinks = createRecordingSinks();
      const file = join(dir, f);
      await ingestS3(
        loadJson(`events/s3/${f}`),
        { config: parseConfig({ version: 1 }), sinks, objects: fileObjectStore(samplesRoot(file)) },
        Date.now() + 30_000,
      );
      for (const r of sinks.indexed) {
        datasets.add(r.doc.event.dataset);
        unmapped(r.doc, LOG_MAPPINGS as unknown as Mapping, '', missing);
      }
    }
    expect([...datasets].sort()).toEqual([
      'aws.cloudfront',
      'aws.cloudtrail',
      'aws.elb',
      'aws.s3access',
      'aws.vpcflow',
      'aws.waf',
    ]);
    expect([...missing].sort()).toEqual([]);
  });
});
