import { describe, expect, it } from 'vitest';
import {
  parseCtime,
  parseEpoch,
  parseIsoTime,
  parseSyslogTime,
  parseTimeOfDay,
} from '#shared/parse/time.ts';
import { wallTimeToEpoch } from '#shared/parse/wall-time.ts';

describe('times', () => {
  it('ISO 8601 with and without a zone, with a comma (Python asctime)', () => {
    expect(parseIsoTime('2025-11-20T10:00:00.5+01:00')).toBe(Date.UTC(2025, 10, 20, 9, 0, 0, 500));
    expect(parseIsoTime('2025-11-20 10:00:00,250')).toBe(Date.UTC(2025, 10, 20, 10, 0, 0, 250));
    expect(parseIsoTime('2025-11-20 10:00:00', 'America/Los_Angeles')).toBe(
      Date.UTC(2025, 10, 20, 18, 0, 0),
    );
    expect(parseIsoTime('2025-02-31 10:00:00')).toBeUndefined();
  });

  it('Apache ctime with microseconds', () => {
    expect(parseCtime('Wed Oct 11 14:32:52.123456 2000')).toBe(
      Date.UTC(2000, 9, 11, 14, 32, 52, 123),
    );
  });

  it('syslog without a year and time of day without a date', () => {
    expect(parseSyslogTime('Dec 31 23:59:59', Date.UTC(2026, 0, 1, 0, 0, 5))).toBe(
      Date.UTC(2025, 11, 31, 23, 59, 59),
    );
    expect(parseTimeOfDay('00:00:01.000', Date.UTC(2025, 10, 20, 23, 59, 59))).toBe(
      Date.UTC(2025, 10, 21, 0, 0, 1),
    );
  });

  it('a year-less syslog time takes the latest year that is not more than a week ahead', () => {
    // Dec 31 delivered on Jan 1: last year. Jan 1 delivered a few seconds before midnight on Dec 31
    // (clock skew): next year. A May line delivered in December is this May, not next May (which the
    // nearest year would be), and a Feb line delivered in November is this February.
    const cases: [string, number, number][] = [
      ['Dec 31 23:59:59', Date.UTC(2026, 0, 1, 0, 0, 5), Date.UTC(2025, 11, 31, 23, 59, 59)],
      ['Jan  1 00:00:02', Date.UTC(2025, 11, 31, 23, 59, 58), Date.UTC(2026, 0, 1, 0, 0, 2)],
      ['May 22 02:22:22', Date.UTC(2026, 11, 3), Date.UTC(2026, 4, 22, 2, 22, 22)],
      ['Feb  6 12:12:09', Date.UTC(2025, 10, 20), Date.UTC(2025, 1, 6, 12, 12, 9)],
      ['Dec 31 23:59:59', Date.UTC(2025, 10, 20), Date.UTC(2024, 11, 31, 23, 59, 59)],
      ['Nov 25 08:00:00', Date.UTC(2025, 10, 20), Date.UTC(2025, 10, 25, 8)],
      ['Feb 29 10:00:00', Date.UTC(2025, 2, 1), Date.UTC(2024, 1, 29, 10)],
    ];
    for (const [text, delivered, expected] of cases)
      expect([text, parseSyslogTime(text, delivered)]).toEqual([text, expected]);
  });

  it('epoch seconds, milliseconds, microseconds and nanoseconds by magnitude', () => {
    const ms = Date.UTC(2025, 10, 20, 10, 0, 0, 123);
    expect(parseEpoch(ms / 1000)).toBe(ms);
    expect(parseEpoch(ms)).toBe(ms);
    expect(parseEpoch(ms * 1000)).toBe(ms);
    expect(parseEpoch(ms * 1e6)).toBe(ms);
  });

  it('zone-less times across a DST change', () => {
    expect(wallTimeToEpoch(2025, 2, 30, 3, 30, 0, 0, 'Europe/Paris')).toBe(
      Date.UTC(2025, 2, 30, 1, 30),
    );
    expect(wallTimeToEpoch(2025, 9, 26, 1, 30, 0, 0, 'Europe/Paris')).toBe(
      Date.UTC(2025, 9, 25, 23, 30),
    );
  });
});
