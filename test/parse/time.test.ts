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
