// Time parsing for log lines: ISO 8601, CLF, nginx/Apache/HAProxy/syslog forms, epoch s/ms/µs/ns (wall clocks in zones: wall-time.ts).
import { daysInMonth, wallTimeToEpoch, withInferredDate, withInferredYear } from './wall-time.ts';

const MONTHS: Record<string, number> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
};

/** Month index (0-11) of an English month abbreviation, any case. */
export function monthIndex(name: string): number | undefined {
  return MONTHS[name.slice(0, 3).toLowerCase()];
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
export function fractionMs(frac: string | undefined): number {
  if (!frac) return 0;
  if (frac.length === 3) return Number(frac);
  return Math.floor(Number(`0.${frac}`) * 1000);
}

/** True when the numbers make a real calendar time (Date.UTC silently rolls 31 Feb into March). */
function valid(mo: number, d: number, h: number, mi: number, s: number, year = 2000): boolean {
  if (mo < 0 || mo > 11 || d < 1 || h > 24 || mi > 59 || s > 60) return false;
  // Day 0 of the next month is the last day of this one; year 2000 (leap) when the line has none.
  return d <= daysInMonth(year, mo);
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** ISO 8601 (also with a space or a comma before the fraction); zone-less in `timeZone`. */
export function parseIsoTime(text: string, timeZone?: string): number | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  if (!valid(+mo! - 1, +d!, +h!, +mi!, +(s ?? 0), +y!)) return undefined;
  const ms = fractionMs(frac);
  if (zone) {
    const off = parseZone(zone);
    if (off === undefined) return undefined;
    return Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +(s ?? 0), ms) - off * 60_000;
  }
  return wallTimeToEpoch(+y!, +mo! - 1, +d!, +h!, +mi!, +(s ?? 0), ms, timeZone);
}

const CLF =
  /^(\d{2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?: ([+-]\d{4}))?$/;

/**
 * Common Log Format time, `10/Oct/2000:13:55:36 -0700`; HAProxy writes it with milliseconds and no
 * zone (`06/Feb/2009:12:14:14.655`), which is read in `timeZone`.
 *
 * @example
 * parseClfTime('10/Oct/2000:13:55:36 -0700') // Date.UTC(2000, 9, 10, 20, 55, 36)
 */
export function parseClfTime(text: string, timeZone?: string): number | undefined {
  const fast = clfCommon(text, timeZone);
  if (fast !== null) return fast;
  const m = CLF.exec(text);
  if (!m) return undefined;
  const month = monthIndex(m[2]!);
  if (month === undefined || !valid(month, +m[1]!, +m[4]!, +m[5]!, +m[6]!, +m[3]!))
    return undefined;
  if (m[8] === undefined) {
    return wallTimeToEpoch(
      +m[3]!,
      month,
      +m[1]!,
      +m[4]!,
      +m[5]!,
      +m[6]!,
      fractionMs(m[7]),
      timeZone,
    );
  }
  const off = parseZone(m[8]);
  if (off === undefined) return undefined;
  return Date.UTC(+m[3]!, month, +m[1]!, +m[4]!, +m[5]!, +m[6]!, fractionMs(m[7])) - off * 60_000;
}

/** The digit at `i`, or -1. */
function digitAt(text: string, i: number): number {
  const d = text.charCodeAt(i) - 0x30;
  return d >= 0 && d <= 9 ? d : -1;
}

function twoDigits(text: string, i: number): number {
  const a = digitAt(text, i);
  const b = digitAt(text, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

// The last CLF day read (`10/Oct/2000`) and its midnight UTC: the lines of a batch share their day.
let clfDayText = '';
let clfDayMs = 0;
let clfYear = 0;
let clfMonth = 0;
let clfDate = 0;

/**
 * {@link parseClfTime} for the shapes servers write (`dd/Mon/yyyy:HH:MM:SS`, then `.mmm` and/or
 * ` +zzzz`) without a regex or a Date per line; null for any other text, which the regex reads.
 */
function clfCommon(text: string, timeZone: string | undefined): number | undefined | null {
  const n = text.length;
  let end = 20;
  let ms = 0;
  if (n >= 24 && text.charCodeAt(20) === 0x2e /* . */) {
    const a = digitAt(text, 21);
    const b = digitAt(text, 22);
    const c = digitAt(text, 23);
    if (a < 0 || b < 0 || c < 0) return null;
    ms = a * 100 + b * 10 + c;
    end = 24;
  }
  const zoned = n === end + 6;
  if (n !== end && !zoned) return null;
  const h = twoDigits(text, 12);
  const mi = twoDigits(text, 15);
  const sec = twoDigits(text, 18);
  if (
    h < 0 ||
    mi < 0 ||
    sec < 0 ||
    text.charCodeAt(11) !== 0x3a ||
    text.charCodeAt(14) !== 0x3a ||
    text.charCodeAt(17) !== 0x3a
  )
    return null;
  if (!text.startsWith(clfDayText) || clfDayText === '') {
    const d = twoDigits(text, 0);
    const y1 = twoDigits(text, 7);
    const y2 = twoDigits(text, 9);
    if (d < 0 || y1 < 0 || y2 < 0 || text.charCodeAt(2) !== 0x2f || text.charCodeAt(6) !== 0x2f)
      return null;
    for (let i = 3; i < 6; i++) {
      const c = text.charCodeAt(i) | 0x20;
      if (c < 0x61 || c > 0x7a) return null;
    }
    const month = monthIndex(text.slice(3, 6));
    if (month === undefined) return undefined;
    clfDayText = text.slice(0, 11);
    clfYear = y1 * 100 + y2;
    clfMonth = month;
    clfDate = d;
    clfDayMs = Date.UTC(clfYear, month, d);
  }
  if (!valid(clfMonth, clfDate, h, mi, sec, clfYear)) return undefined;
  const time = h * 3_600_000 + mi * 60_000 + sec * 1000 + ms;
  if (!zoned) {
    if (!timeZone || timeZone === 'UTC') return clfDayMs + time;
    return wallTimeToEpoch(clfYear, clfMonth, clfDate, h, mi, sec, ms, timeZone);
  }
  const sign = text.charCodeAt(end + 1);
  const zh = twoDigits(text, end + 2);
  const zm = twoDigits(text, end + 4);
  if (text.charCodeAt(end) !== 0x20 || (sign !== 0x2b && sign !== 0x2d) || zh < 0 || zm < 0)
    return null;
  const minutes = zh * 60 + zm;
  return clfDayMs + time - (sign === 0x2d ? -minutes : minutes) * 60_000;
}

const CTIME = /^[A-Za-z]{3} ([A-Za-z]{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))? (\d{4})$/;

/**
 * C `ctime` as Apache's error log writes it, with microseconds since 2.4: `Wed Oct 11 14:32:52.123456 2000`.
 *
 * @example
 * parseCtime('Wed Oct 11 14:32:52.123456 2000') // Date.UTC(2000, 9, 11, 14, 32, 52, 123)
 */
export function parseCtime(text: string, timeZone?: string): number | undefined {
  const m = CTIME.exec(text);
  if (!m) return undefined;
  const month = monthIndex(m[1]!);
  if (month === undefined || !valid(month, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[7]!))
    return undefined;
  return wallTimeToEpoch(+m[7]!, month, +m[2]!, +m[3]!, +m[4]!, +m[5]!, fractionMs(m[6]), timeZone);
}

const SYSLOG_TIME = /^([A-Za-z]{3}) +(\d{1,2})(?: (\d{4}))? (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/;

/**
 * RFC 3164 time (`Feb  6 05:17:05`); without a year (the usual case) the year comes from the
 * transport time. Some senders (network gear, `%Y` templates) write one: `Feb  6 2024 05:17:05`.
 *
 * @example
 * parseSyslogTime('Dec 31 23:59:59', Date.UTC(2026, 0, 1)) // Date.UTC(2025, 11, 31, 23, 59, 59)
 */
export function parseSyslogTime(
  text: string,
  eventTime: number,
  timeZone?: string,
): number | undefined {
  const m = SYSLOG_TIME.exec(text);
  if (!m) return undefined;
  const month = monthIndex(m[1]!);
  const [day, h, mi, s] = [+m[2]!, +m[4]!, +m[5]!, +m[6]!];
  const year = m[3] === undefined ? undefined : +m[3];
  if (month === undefined || !valid(month, day, h, mi, s, year)) return undefined;
  const ms = fractionMs(m[7]);
  if (year !== undefined) return wallTimeToEpoch(year, month, day, h, mi, s, ms, timeZone);
  return withInferredYear(month, day, h, mi, s, ms, eventTime, timeZone);
}

const TIME_OF_DAY = /^(\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?$/;

/** `HH:mm:ss.SSS` with the date taken from the transport time. */
export function parseTimeOfDay(
  text: string,
  eventTime: number,
  timeZone?: string,
): number | undefined {
  const m = TIME_OF_DAY.exec(text);
  if (!m || !valid(0, 1, +m[1]!, +m[2]!, +m[3]!)) return undefined;
  return withInferredDate(+m[1]!, +m[2]!, +m[3]!, fractionMs(m[4]), eventTime, timeZone);
}

/** Epoch seconds, milliseconds, microseconds or nanoseconds told apart by magnitude. */
export function parseEpoch(value: number): number | undefined {
  if (!Number.isFinite(value) || value <= 0) return undefined;
  if (value < 1e11) return Math.round(value * 1000); // seconds (until year 5138)
  if (value < 1e14) return Math.round(value); // milliseconds
  if (value < 1e17) return Math.round(value / 1000); // microseconds
  return Math.round(value / 1e6); // nanoseconds
}

// RFC 1123 / HTTP dates, as some JSON loggers write them: `Sat, 02 Mar 2024 09:00:00 GMT`.
const RFC1123 =
  /^[A-Z][a-z]{2}, (\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) (GMT|UTC|[+-]\d{4})$/;

function parseRfc1123(value: string): number | undefined {
  const m = RFC1123.exec(value);
  const month = m ? monthIndex(m[2]!) : undefined;
  if (!m || month === undefined || !valid(month, +m[1]!, +m[4]!, +m[5]!, +m[6]!, +m[3]!))
    return undefined;
  const off = m[7]!.length === 5 ? parseZone(m[7]!) : 0;
  return Date.UTC(+m[3]!, month, +m[1]!, +m[4]!, +m[5]!, +m[6]!) - (off ?? 0) * 60_000;
}

/**
 * A time value from a structured line: a number (epoch s/ms/µs/ns), a string (ISO, CLF, RFC 1123,
 * or a numeric string), or a protobuf Timestamp `{ seconds, nanos }` (Google Cloud's structured logs).
 */
export function parseTimeValue(value: unknown, timeZone?: string): number | undefined {
  if (typeof value === 'number') return parseEpoch(value);
  if (typeof value === 'object' && value !== null) {
    const { seconds, nanos } = value as { seconds?: unknown; nanos?: unknown };
    const s = typeof seconds === 'string' ? Number(seconds) : seconds;
    if (typeof s !== 'number' || !Number.isFinite(s)) return undefined;
    return s * 1000 + (typeof nanos === 'number' ? Math.floor(nanos / 1e6) : 0);
  }
  if (typeof value !== 'string') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return parseEpoch(Number(value));
  return parseIsoTime(value, timeZone) ?? parseClfTime(value, timeZone) ?? parseRfc1123(value);
}

/** ISO-8601 UTC with milliseconds, as every document time is written. */
export function formatTime(epochMs: number): string {
  // Lines of a batch mostly share their second with the line before: only the milliseconds change.
  if (Number.isInteger(epochMs) && epochMs >= 0 && epochMs < MAX_FOUR_DIGIT_YEAR_MS) {
    const ms = epochMs % 1000;
    const second = epochMs - ms;
    if (second !== lastSecond) {
      lastSecond = second;
      lastSecondIso = new Date(second).toISOString().slice(0, 20);
    }
    return `${lastSecondIso}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
  }
  return new Date(epochMs).toISOString();
}

/** 10000-01-01: from there on toISOString writes a six-digit, signed year. */
const MAX_FOUR_DIGIT_YEAR_MS = 253402300800000;
let lastSecond = Number.NaN;
/** `YYYY-MM-DDTHH:MM:SS.` of `lastSecond`. */
let lastSecondIso = '';
