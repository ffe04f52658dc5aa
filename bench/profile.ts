// `npx tsx bench/profile.ts FILE.cpuprofile [--top N]`: where a `node --cpu-prof` profile spent its time.
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Sampled time the thread was busy (idle samples left out). */
  totalMs: number;
  /** Self time per function (`name file:line`), largest first. */
  functions: { name: string; selfMs: number; totalMs: number }[];
  /** Self time per source file, largest first. */
  files: { file: string; selfMs: number }[];
}

const ROOT = `${path.resolve(import.meta.dirname, '..')}/`;

function shortUrl(url: string): string {
  const s = url.replace(/^file:\/\//, '');
  return (s.startsWith(ROOT) ? s.slice(ROOT.length) : s) || '(native)';
}

/** Source maps of the bundles met in a profile: a minified frame is named by where its code came from. */
const maps = new Map<string, SourceMap | null>();

function sourceMapOf(url: string): SourceMap | null {
  let map = maps.get(url);
  if (map === undefined) {
    const file = `${url.replace(/^file:\/\//, '')}.map`;
    map = existsSync(file) ? new SourceMap(JSON.parse(readFileSync(file, 'utf8'))) : null;
    maps.set(url, map);
  }
  return map;
}

/** `file:line` of a frame, through the bundle's source map when there is one. */
function location(frame: ProfileNode['callFrame']): string {
  const map = frame.url.endsWith('.cjs') ? sourceMapOf(frame.url) : null;
  const entry = map?.findEntry(frame.lineNumber, frame.columnNumber ?? 0) as
    | { originalSource?: string; originalLine?: number }
    | undefined;
  if (entry?.originalSource)
    return `${shortUrl(entry.originalSource).replace(/^(\.\.\/)+/, '')}:${(entry.originalLine ?? 0) + 1}`;
  return `${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
}

/**
 * Self and total time per function and self time per file of a V8 CPU profile.
 *
 * @example
 * summarizeProfile(JSON.parse(readFileSync('CPU.cpuprofile', 'utf8'))).functions.slice(0, 10);
 */
export function summarizeProfile(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });

  const key = (n: ProfileNode) =>
    `${n.callFrame.functionName || '(anonymous)'} ${location(n.callFrame)}`;
  const selfBy = new Map<string, number>();
  const totalBy = new Map<string, number>();
  const fileBy = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id)!;
    selfBy.set(key(node), (selfBy.get(key(node)) ?? 0) + us);
    const file = location(node.callFrame).replace(/:\d+$/, '');
    fileBy.set(file, (fileBy.get(file) ?? 0) + us);
    // Total time: count the sample once for each distinct function up the stack (recursion counted once).
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = key(byId.get(cur)!);
      if (seen.has(k)) continue;
      seen.add(k);
      totalBy.set(k, (totalBy.get(k) ?? 0) + us);
    }
  }
  // Waiting between and inside invocations is not work: percentages are of the busy time.
  let total = 0;
  for (const [id, us] of self) if (byId.get(id)!.callFrame.functionName !== '(idle)') total += us;
  return {
    totalMs: total / 1000,
    functions: [...selfBy]
      .map(([name, us]) => ({ name, selfMs: us / 1000, totalMs: (totalBy.get(name) ?? 0) / 1000 }))
      .sort((a, b) => b.selfMs - a.selfMs),
    files: [...fileBy]
      .map(([file, us]) => ({ file, selfMs: us / 1000 }))
      .sort((a, b) => b.selfMs - a.selfMs),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '30' } },
  });
  const top = Number(values.top);
  for (const file of positionals) {
    const s = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
    const pct = (ms: number) => `${((100 * ms) / s.totalMs).toFixed(1).padStart(5)}%`;
    console.log(
      `${file}: ${s.totalMs.toFixed(0)} ms busy (idle left out)\n\nself time by function (self, total)`,
    );
    for (const f of s.functions.slice(0, top))
      console.log(`  ${pct(f.selfMs)} ${pct(f.totalMs)}  ${f.name}`);
    console.log('\nself time by file');
    for (const f of s.files.slice(0, top)) console.log(`  ${pct(f.selfMs)}  ${f.file}`);
  }
}
