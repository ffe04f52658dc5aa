// The forwarder comparison as an SVG bar chart: docs/s and CPU per event of the handler, the forwarder and each one's raw-bulk ceiling.
import type { ForwarderRun } from './deployed.ts';

export interface ChartBar {
  label: string;
  value: number;
  colour: string;
}

export interface ChartGroup {
  name: string;
  bars: ChartBar[];
  /** A target drawn across the group (a limit), if any. */
  limit?: number;
}

const COLOURS = { handler: '#1f6feb', baseline: '#8b949e', ceiling: '#2da44e', floor: '#bf8700' };
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (n: number) =>
  n >= 1000 ? Math.round(n).toLocaleString('en-US') : String(Math.round(n * 10) / 10);

/** One panel: groups of vertical bars on a shared scale from zero, values written above the bars. */
function panel(
  title: string,
  unit: string,
  groups: ChartGroup[],
  x0: number,
  width: number,
): string {
  const top = 40;
  const height = 220;
  const max = Math.max(1, ...groups.flatMap((g) => [...g.bars.map((b) => b.value), g.limit ?? 0]));
  const groupW = width / Math.max(1, groups.length);
  const y = (v: number) => top + height - (v / max) * height;
  const parts = [
    `<text x="${x0 + width / 2}" y="20" text-anchor="middle" font-weight="bold">${esc(title)}</text>`,
    `<line x1="${x0}" y1="${top + height}" x2="${x0 + width}" y2="${top + height}" stroke="#57606a"/>`,
  ];
  groups.forEach((g, gi) => {
    const gx = x0 + gi * groupW;
    const barW = (groupW - 20) / Math.max(1, g.bars.length);
    g.bars.forEach((b, bi) => {
      const bx = gx + 10 + bi * barW;
      const by = y(b.value);
      parts.push(
        `<rect x="${bx.toFixed(1)}" y="${by.toFixed(1)}" width="${(barW - 4).toFixed(1)}" height="${(top + height - by).toFixed(1)}" fill="${b.colour}"><title>${esc(`${g.name} ${b.label}: ${num(b.value)} ${unit}`)}</title></rect>`,
        `<text x="${(bx + (barW - 4) / 2).toFixed(1)}" y="${(by - 4).toFixed(1)}" text-anchor="middle" font-size="10">${num(b.value)}</text>`,
      );
    });
    if (g.limit !== undefined) {
      const ly = y(g.limit).toFixed(1);
      parts.push(
        `<line x1="${gx + 6}" y1="${ly}" x2="${gx + groupW - 6}" y2="${ly}" stroke="#cf222e" stroke-dasharray="4 3"/>`,
        `<text x="${gx + groupW - 6}" y="${Number(ly) - 3}" text-anchor="end" font-size="10" fill="#cf222e">target ≤ ${num(g.limit)}</text>`,
      );
    }
    parts.push(
      `<text x="${gx + groupW / 2}" y="${top + height + 16}" text-anchor="middle">${esc(g.name)}</text>`,
    );
  });
  parts.push(
    `<text x="${x0 - 8}" y="${top + height / 2}" text-anchor="middle" font-size="11" transform="rotate(-90 ${x0 - 8} ${top + height / 2})">${esc(unit)}</text>`,
  );
  return parts.join('\n');
}

/**
 * The SVG of a forwarder run: left, documents per second of the handler, the forwarder and their
 * ceilings; right, CPU µs per event of each, with the CPU targets.
 *
 * @example
 * writeFileSync('bench/forwarder.svg', forwarderChart(run, { nginx: 12, json: 15, firelens: 18 }, caption));
 */
export function forwarderChart(
  run: Pick<ForwarderRun, 'figures' | 'details'>,
  cpuLimits: Record<string, number>,
  caption: string,
): string {
  const corpora = Object.keys(run.figures);
  const rate: ChartGroup[] = corpora.map((c) => {
    const f = run.figures[c]!;
    const d = run.details[c];
    return {
      name: c,
      bars: [
        { label: 'handler', value: f.handler_docs_per_s, colour: COLOURS.handler },
        { label: 'forwarder', value: f.baseline_docs_per_s, colour: COLOURS.baseline },
        {
          label: 'handler ceiling',
          value: d?.handler_ceiling_docs_per_s ?? 0,
          colour: COLOURS.ceiling,
        },
        {
          label: 'forwarder ceiling',
          value: d?.baseline_ceiling_docs_per_s ?? 0,
          colour: COLOURS.floor,
        },
      ],
    };
  });
  const cpu: ChartGroup[] = corpora.map((c) => {
    const f = run.figures[c]!;
    const d = run.details[c];
    return {
      name: c,
      limit: cpuLimits[c],
      bars: [
        { label: 'handler', value: f.handler_cpu_us_per_event, colour: COLOURS.handler },
        { label: 'forwarder', value: f.baseline_cpu_us_per_event, colour: COLOURS.baseline },
        {
          label: 'handler ceiling',
          value: d?.handler_ceiling_cpu_us_per_event ?? 0,
          colour: COLOURS.ceiling,
        },
        {
          label: 'forwarder ceiling',
          value: d?.baseline_ceiling_cpu_us_per_event ?? 0,
          colour: COLOURS.floor,
        },
      ],
    };
  });
  const legend = [
    ['handler (deployed bundle)', COLOURS.handler],
    ['forwarder baseline', COLOURS.baseline],
    ['raw-bulk ceiling, handler bodies', COLOURS.ceiling],
    ['raw-bulk ceiling, forwarder bodies', COLOURS.floor],
  ]
    .map(
      ([label, colour], i) =>
        `<rect x="${60 + i * 210}" y="300" width="12" height="12" fill="${colour}"/><text x="${78 + i * 210}" y="310" font-size="11">${esc(label!)}</text>`,
    )
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="345" viewBox="0 0 900 345" font-family="sans-serif" font-size="12" role="img">
<title>logferry's deployed handler against the forwarder baseline: documents per second and CPU per event, with each side's raw-bulk ceiling (${esc(caption)})</title>
<rect width="900" height="345" fill="#ffffff"/>
${panel('documents per second (higher is better)', 'docs/s', rate, 50, 380)}
${panel('CPU µs per log event, all threads (lower is better)', 'µs/event', cpu, 500, 380)}
${legend}
<text x="450" y="335" text-anchor="middle" font-size="10" fill="#57606a">${esc(caption)}</text>
</svg>
`;
}
