// strftime(3) patterns (Apache `%{…}t`) compiled into a time reader that finds its own end in a line.
import { FormatError } from '#shared/errors.ts';
import { monthIndex, parseZone } from '#shared/parse/time.ts';
import type { ParseContext } from '#shared/parse/types.ts';
import { wallTimeToEpoch } from '#shared/parse/wall-time.ts';
import type { Scan } from './scan.ts';

type Field = 'Y' | 'y' | 'm' | 'd' | 'H' | 'I' | 'M' | 'S' | 'b' | 'p' | 'z' | 's' | 'skip';
type Item =
  | { lit: string }
  | { field: Field; width: number; pad?: ' ' }
  | { field: Field; alpha: true }
  | { field: 'z'; zone: true };

const EXPAND: Record<string, string> = { T: '%H:%M:%S', F: '%Y-%m-%d', D: '%m/%d/%y', R: '%H:%M' };
const NUMERIC: Record<string, [Field, number]> = {
  Y: ['Y', 4],
  y: ['y', 2],
  m: ['m', 2],
  d: ['d', 2],
  H: ['H', 2],
  I: ['I', 2],
  M: ['M', 2],
  S: ['S', 2],
  j: ['skip', 3],
  u: ['skip', 1],
  w: ['skip', 1],
};

function items(pattern: string, at: number): Item[] {
  const out: Item[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c !== '%') {
      out.push({ lit: c });
      continue;
    }
    const spec = pattern[++i];
    if (spec === undefined) throw new FormatError('strftime pattern ends with %', at + i, pattern);
    if (EXPAND[spec]) out.push(...items(EXPAND[spec], at));
    else if (NUMERIC[spec]) out.push({ field: NUMERIC[spec][0], width: NUMERIC[spec][1] });
    else if (spec === 'e') out.push({ field: 'd', width: 2, pad: ' ' });
    else if (spec === 'b' || spec === 'h' || spec === 'B') out.push({ field: 'b', alpha: true });
    else if (spec === 'a' || spec === 'A' || spec === 'Z') out.push({ field: 'skip', alpha: true });
    else if (spec === 'p') out.push({ field: 'p', alpha: true });
    else if (spec === 'z') out.push({ field: 'z', zone: true });
    else if (spec === 's') out.push({ field: 's', width: 0 });
    else if (spec === '%') out.push({ lit: '%' });
    else if (spec === 'n' || spec === 't') out.push({ lit: spec === 'n' ? '\n' : '\t' });
    else
      throw new FormatError(
        `strftime conversion %${spec} is not supported in a time`,
        at + i,
        `%${spec}`,
      );
  }
  return out;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** Reads one item at `i`; returns the text it took and where it ends, or -1. */
function readItem(item: Item, line: string, i: number): number {
  if ('lit' in item) return line.startsWith(item.lit, i) ? i + item.lit.length : -1;
  if ('zone' in item) {
    const s = line.charCodeAt(i);
    if (s !== 0x2b && s !== 0x2d) return -1;
    for (let k = 1; k <= 4; k++) if (!isDigit(line.charCodeAt(i + k))) return -1;
    return i + 5;
  }
  if ('alpha' in item) {
    let j = i;
    while (j < line.length && isAlpha(line.charCodeAt(j))) j++;
    return j > i ? j : -1;
  }
  if (item.width === 0) {
    let j = i;
    while (isDigit(line.charCodeAt(j))) j++;
    return j > i ? j : -1;
  }
  for (let k = 0; k < item.width; k++) {
    const c = line.charCodeAt(i + k);
    if (!isDigit(c) && !(item.pad === ' ' && c === 0x20 && k < item.width - 1)) return -1;
  }
  return i + item.width;
}

export interface TimeReader {
  scan: Scan;
  read(value: string, ctx: ParseContext): number | undefined;
}

/**
 * Compiles a strftime pattern (`%d/%b/%Y:%H:%M:%S %z`, `%F %T`) into a reader; a zone-less time is
 * read in the route's zone. Throws a {@link FormatError} for conversions that cannot be read back.
 *
 * @example
 * compileStrftime('%Y-%m-%d %H:%M:%S', 0).read('2025-11-20 10:00:00', ctx) // Date.UTC(2025, 10, 20, 10)
 */
export function compileStrftime(pattern: string, at: number): TimeReader {
  const list = items(pattern, at);
  const scan: Scan = (line, i) => {
    let j = i;
    for (const item of list) {
      j = readItem(item, line, j);
      if (j < 0) return -1;
    }
    return j;
  };
  const read = (value: string, ctx: ParseContext): number | undefined => {
    const got: Partial<Record<Field, string>> = {};
    let j = 0;
    for (const item of list) {
      const end = readItem(item, value, j);
      if (end < 0) return undefined;
      if (!('lit' in item)) got[item.field] = value.slice(j, end).trim();
      j = end;
    }
    if (got.s !== undefined) return Number(got.s) * 1000;
    const year =
      got.Y !== undefined ? Number(got.Y) : got.y !== undefined ? 2000 + Number(got.y) : undefined;
    const month =
      got.b !== undefined ? monthIndex(got.b) : got.m !== undefined ? Number(got.m) - 1 : undefined;
    if (year === undefined || month === undefined || got.d === undefined) return undefined;
    let hour = Number(got.H ?? got.I ?? 0);
    if (got.p !== undefined && got.I !== undefined)
      hour = (hour % 12) + (/^pm$/i.test(got.p) ? 12 : 0);
    const t = [year, month, Number(got.d), hour, Number(got.M ?? 0), Number(got.S ?? 0)] as const;
    if (t.some((n) => !Number.isFinite(n))) return undefined;
    if (got.z === undefined) return wallTimeToEpoch(...t, 0, ctx.timeZone);
    const off = parseZone(got.z);
    return off === undefined ? undefined : Date.UTC(...t) - off * 60_000;
  };
  return { scan, read };
}
