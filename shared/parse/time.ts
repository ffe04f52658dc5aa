// Time parsing for log lines: ISO 8601, CLF, nginx error, epoch s/ms/µs, with route time zones for zone-less times.

const MONTHS: Record<string, number> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11,
};

/** Month index (0-11) of an English month abbreviation, any case. */
export function monthIndex(name: string): number | undefined {
  return MONTHS[name.slice(0, 3).toLowerCase()];
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** Offset in ms of `timeZone` from UTC at the instant `utcMs`. */
function zoneOffsetMs(utcMs: number, timeZone: string): number {
  let fmt = offsetFormatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    offsetFormatters.set(timeZone, fmt);
  }
  const parts: Record<string, number> = {};
  for (const p of fmt.formatToParts(new Date(utcMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const asUtc = Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/**
 * Epoch ms of a wall-clock time in `timeZone` (UTC when absent).
 *
 * @example
 * wallTimeToEpoch(2024, 0, 15, 10, 0, 0, 0, 'Europe/Paris') // 09:00Z
 */
export function wallTimeToEpoch(
  year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number,
  timeZone?: string,
): number {
  const asUtc = Date.UTC(year, month, day, hour, minute, second, ms);
  if (!timeZone || timeZone === 'UTC') return asUtc;
  // Two passes settle the offset across a DST change.
  let guess = asUtc - zoneOffsetMs(asUtc, timeZone);
  guess = asUtc - zoneOffsetMs(guess, timeZone);
  return guess;
}

/** Parses a `+hh:mm`, `+hhmm`, `+hh` or `Z` zone into minutes east of UTC. */
export function parseZone(zone: string): number | undefined {
  if (zone === 'Z' || zone === 'z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!m) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return m[1] === '-' ? -minutes : minutes;
}

/** Milliseconds from a fraction string of any precision (`5`, `123`, `123456`). */
function fractionMs(frac: string | undefined): number {
  if (!frac) return 0;
  return Math.floor(Number(`0.${frac}`) * 1000);
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** ISO 8601 (also with a space or a comma before the fraction); zone-less in `timeZone`. */
export function parseIsoTime(text: string, timeZone?: string): number | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = fractionMs(frac);
  if (zone) {
    const off = parseZone(zone);
    if (off === undefined) return undefined;
    return Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +(s ?? 0), ms) - off * 60_000;
  }
  return wallTimeToEpoch(+y!, +mo! - 1, +d!, +h!, +mi!, +(s ?? 0), ms, timeZone);
}

const CLF = /^(\d{2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))? ([+-]\d{4})$/;

/** Common Log Format time, `10/Oct/2000:13:55:36 -0700`. */
export function parseClfTime(text: string): number | undefined {
  const m = CLF.exec(text);
  if (!m) return undefined;
  const month = monthIndex(m[2]!);
  const off = parseZone(m[8]!);
  if (month === undefined || off === undefined) return undefined;
  return Date.UTC(+m[3]!, month, +m[1]!, +m[4]!, +m[5]!, +m[6]!, fractionMs(m[7])) - off * 60_000;
}

/** Epoch seconds, milliseconds, microseconds or nanoseconds told apart by magnitude. */
export function parseEpoch(value: number): number | undefined {
  if (!Number.isFinite(value) || value <= 0) return undefined;
  if (value < 1e11) return Math.round(value * 1000); // seconds (until year 5138)
  if (value < 1e14) return Math.round(value); // milliseconds
  if (value < 1e17) return Math.round(value / 1000); // microseconds
  return Math.round(value / 1e6); // nanoseconds
}

/** A time value from a structured line: number (epoch) or string (ISO, or numeric string). */
export function parseTimeValue(value: unknown, timeZone?: string): number | undefined {
  if (typeof value === 'number') return parseEpoch(value);
  if (typeof value !== 'string') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return parseEpoch(Number(value));
  return parseIsoTime(value, timeZone) ?? parseClfTime(value);
}

/** ISO-8601 UTC with milliseconds, as every document time is written. */
export function formatTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
