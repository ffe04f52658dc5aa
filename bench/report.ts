// Targets, the printed table, and the latest-results block of bench/README.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export interface Target {
  name: string;
  value: number | null;
  limit: number;
  /** `max`: the value must not exceed the limit; `min`: must reach it. */
  kind: 'max' | 'min';
  unit: string;
  ok: boolean | null;
  note?: string;
}

export function target(
  name: string,
  value: number | null | undefined,
  kind: 'max' | 'min',
  limit: number,
  unit: string,
  note?: string,
): Target {
  const v = value ?? null;
  return {
    name,
    value: v,
    limit,
    kind,
    unit,
    ok: v === null ? null : kind === 'max' ? v <= limit : v >= limit,
    ...(note ? { note } : {}),
  };
}

function fmt(n: number | null | undefined, unit = ''): string {
  if (n === null || n === undefined) return 'n/a';
  const s = Math.abs(n) >= 1000 ? Math.round(n).toLocaleString('en-US') : String(n);
  return unit ? `${s} ${unit}` : s;
}

/** A Markdown table: readable as printed text and rendered in the README alike. */
export function markdownTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    line(head),
    `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`,
    ...rows.map(line),
  ].join('\n');
}

export function targetsTable(targets: readonly Target[]): string {
  return markdownTable(
    ['target', 'measured', 'limit', 'holds'],
    targets.map((t) => [
      t.name,
      fmt(t.value, t.unit),
      `${t.kind === 'max' ? '≤' : '≥'} ${fmt(t.limit, t.unit)}`,
      t.ok === null ? `n/a${t.note ? ` (${t.note})` : ''}` : t.ok ? 'yes' : 'NO',
    ]),
  );
}

export function figuresTable(rows: [string, string][]): string {
  return markdownTable(
    ['figure', 'value'],
    rows.map(([a, b]) => [a, b]),
  );
}

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

/** Replaces the block between the markers in the README with `text`; adds the block when it is missing. */
export function updateReadme(file: string, text: string): void {
  const block = `${START}\n${text.trim()}\n${END}`;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const a = current.indexOf(START);
  const b = current.indexOf(END);
  const next =
    a >= 0 && b > a
      ? `${current.slice(0, a)}${block}${current.slice(b + END.length)}`
      : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
}

export { fmt };
