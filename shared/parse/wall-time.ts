// Wall-clock times to epoch ms: route time zones (offsets cached per quarter hour), and the year or date a line leaves out, taken from the transport time.

const DAY_MS = 86_400_000;

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();
const offsetCache = new Map<string, number>();

function computeOffsetMs(utcMs: number, timeZone: string): number {
  let fmt = offsetFormatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    offsetFormatters.set(timeZone, fmt);
  }
  const parts: Record<string, number> = {};
  for (const p of fmt.formatToParts(new Date(utcMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const asUtc = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/** Offset in ms of `timeZone` from UTC at the instant `utcMs`. */
function zoneOffsetMs(utcMs: number, timeZone: string): number {
  // Zones change offset on quarter-hour boundaries, so one lookup serves a whole quarter hour:
  // Intl formatting costs microseconds, far more than the rest of a line.
  const key = `${timeZone}|${Math.floor(utcMs / 900_000)}`;
  let off = offsetCache.get(key);
  if (off === undefined) {
    off = computeOffsetMs(utcMs, timeZone);
    if (offsetCache.size > 10_000) offsetCache.clear();
    offsetCache.set(key, off);
  }
  return off;
}

/**
 * Epoch ms of a wall-clock time in `timeZone` (UTC when absent).
 *
 * @example
 * wallTimeToEpoch(2024, 0, 15, 10, 0, 0, 0, 'Europe/Paris') // 09:00Z
 */
export function wallTimeToEpoch(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms: number,
  timeZone?: string,
): number {
  const asUtc = Date.UTC(year, month, day, hour, minute, second, ms);
  if (!timeZone || timeZone === 'UTC') return asUtc;
  // Two passes settle the offset across a DST change.
  let guess = asUtc - zoneOffsetMs(asUtc, timeZone);
  guess = asUtc - zoneOffsetMs(guess, timeZone);
  return guess;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in month `month` (0-11) of `year`, without building a Date (this runs for every year-less line). */
export function daysInMonth(year: number, month: number): number {
  if (month !== 1) return MONTH_DAYS[month] ?? 31;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

/** How far past the transport time a year-less line may be: clock skew, never a year's difference. */
const FUTURE_SLACK_MS = 7 * DAY_MS;

/**
 * A wall time whose year the line does not say (syslog `Feb 26 05:17:05`): the latest year that
 * puts it no more than a week after the transport time. Lines are written before they are
 * delivered, so a Dec 31 line delivered on Jan 1 belongs to last year, and a May line delivered in
 * December is this May, not next.
 *
 * @example
 * withInferredYear(11, 31, 23, 59, 59, 0, Date.UTC(2026, 0, 1)) // 2025-12-31T23:59:59Z
 */
export function withInferredYear(
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms: number,
  eventTime: number,
  timeZone?: string,
): number {
  const year = new Date(eventTime).getUTCFullYear();
  for (let y = year + 1; y > year - 8; y--) {
    // Feb 29 exists in leap years only; Date.UTC would roll it into March 1.
    if (day > daysInMonth(y, month)) continue;
    const t = wallTimeToEpoch(y, month, day, hour, minute, second, ms, timeZone);
    if (t <= eventTime + FUTURE_SLACK_MS) return t;
  }
  return wallTimeToEpoch(year - 1, month, day, hour, minute, second, ms, timeZone);
}

/**
 * A time of day without a date (logback's `HH:mm:ss.SSS`): the date that puts it closest to the
 * transport time, so 23:59:59 delivered at 00:00:01 is yesterday.
 *
 * @example
 * withInferredDate(23, 59, 59, 0, Date.UTC(2025, 10, 21, 0, 0, 1)) // 2025-11-20T23:59:59Z
 */
export function withInferredDate(
  hour: number,
  minute: number,
  second: number,
  ms: number,
  eventTime: number,
  timeZone?: string,
): number {
  const base = new Date(eventTime);
  const y = base.getUTCFullYear();
  const mo = base.getUTCMonth();
  const d = base.getUTCDate();
  let best = wallTimeToEpoch(y, mo, d, hour, minute, second, ms, timeZone);
  for (const delta of [-1, 1]) {
    const t = wallTimeToEpoch(y, mo, d + delta, hour, minute, second, ms, timeZone);
    if (Math.abs(t - eventTime) < Math.abs(best - eventTime)) best = t;
  }
  // A time zone far from UTC can put the closest match two days away from the UTC date.
  if (Math.abs(best - eventTime) > DAY_MS / 2) {
    for (const delta of [-2, 2]) {
      const t = wallTimeToEpoch(y, mo, d + delta, hour, minute, second, ms, timeZone);
      if (Math.abs(t - eventTime) < Math.abs(best - eventTime)) best = t;
    }
  }
  return best;
}
