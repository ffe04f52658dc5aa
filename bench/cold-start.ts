// Cold start per function: bundle bytes and the time a fresh Node process takes to import the bundle.
import type { Bundle } from './bundles.ts';
import { round } from './pipeline.ts';
import { runChild } from './spawn-child.ts';

export interface ColdStart {
  function: string | null;
  bundle_bytes: number | null;
  /** Deflated, roughly its share of the deployment zip. */
  bundle_gzip_bytes: number | null;
  map_bytes: number | null;
  /** Median `require()` time of the bundle in a fresh process, with `--enable-source-maps` as deployed. */
  import_ms: number | null;
  import_ms_min: number | null;
  /** The same without source maps, to show what they cost. */
  import_ms_no_source_maps: number | null;
  /** Resident memory the import added. */
  import_rss_mb: number | null;
  error?: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Imports each bundle `runs` times, each in a new process, alternating bundles so machine load is shared.
 *
 * @example
 * const cold = await benchColdStart(bundles, env, 5);
 */
export async function benchColdStart(
  bundles: readonly Bundle[],
  env: Record<string, string>,
  runs: number,
): Promise<Record<string, ColdStart>> {
  const times = new Map<
    string,
    { maps: number[]; plain: number[]; rss: number[]; error?: string }
  >();
  for (let r = 0; r < runs; r++) {
    for (const b of bundles) {
      if (!b.file) continue;
      const t = times.get(b.name) ?? { maps: [], plain: [], rss: [] };
      times.set(b.name, t);
      for (const withMaps of [true, false]) {
        const report = await runChild({
          bundle: b.file,
          env,
          nodeFlags: withMaps ? ['--enable-source-maps'] : [],
        });
        if (report.error || report.importMs === undefined) {
          t.error ??= report.error ?? 'no import time';
          continue;
        }
        (withMaps ? t.maps : t.plain).push(report.importMs);
        if (withMaps) t.rss.push((report.rssAfterImport! - report.rssAtStart!) / 2 ** 20);
      }
    }
  }
  const out: Record<string, ColdStart> = {};
  for (const b of bundles) {
    const t = times.get(b.name);
    const ok = t !== undefined && t.maps.length > 0;
    out[b.name] = {
      function: b.function ?? null,
      bundle_bytes: b.bytes ?? null,
      bundle_gzip_bytes: b.gzipBytes ?? null,
      map_bytes: b.mapBytes ?? null,
      import_ms: ok ? round(median(t.maps), 1) : null,
      import_ms_min: ok ? round(Math.min(...t.maps), 1) : null,
      import_ms_no_source_maps: t?.plain.length ? round(median(t.plain), 1) : null,
      import_rss_mb: ok ? round(median(t.rss), 1) : null,
      ...(b.error || t?.error ? { error: b.error ?? t?.error } : {}),
    };
  }
  return out;
}
