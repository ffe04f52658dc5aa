// Normalises level names and numbers (pino, syslog) to trace/debug/info/warn/error/fatal.
import type { Level } from '#shared/model.ts';

// A Map, not an object literal: a level named `constructor` must not find Object.prototype's.
const NAMES = new Map<string, Level>([
  ...(['trace', 'finest', 'finer', 'verbose', 'trc'].map((n) => [n, 'trace']) as [string, Level][]),
  ...(['debug', 'dbg', 'fine', 'config'].map((n) => [n, 'debug']) as [string, Level][]),
  ...(['info', 'information', 'informational', 'notice', 'inf'].map((n) => [n, 'info']) as [
    string,
    Level,
  ][]),
  ...(['warn', 'warning', 'wrn'].map((n) => [n, 'warn']) as [string, Level][]),
  ...(['error', 'err', 'severe', 'eror', 'erro'].map((n) => [n, 'error']) as [string, Level][]),
  ...(['fatal', 'critical', 'crit', 'alert', 'emerg', 'emergency', 'panic', 'dpanic'].map((n) => [
    n,
    'fatal',
  ]) as [string, Level][]),
]);

/** Syslog severities 0 (emerg) to 7 (debug). */
const SYSLOG: Level[] = ['fatal', 'fatal', 'fatal', 'error', 'warn', 'info', 'info', 'debug'];

/**
 * A level name in any case (`WARNING`, `err`, `crit`, Apache's `trace1`…); undefined when it is not one.
 *
 * @example
 * levelFromName('WARNING') // 'warn'
 */
export function levelFromName(name: string): Level | undefined {
  const key = name.trim().toLowerCase();
  const level = NAMES.get(key);
  if (level) return level;
  return /^trace[1-8]$/.test(key) ? 'trace' : undefined;
}

/** pino/bunyan numeric levels: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal. */
export function levelFromPino(n: number): Level | undefined {
  if (n >= 60) return 'fatal';
  if (n >= 50) return 'error';
  if (n >= 40) return 'warn';
  if (n >= 30) return 'info';
  if (n >= 20) return 'debug';
  if (n >= 10) return 'trace';
  return undefined;
}

/** Syslog severity 0-7 (from PRI % 8) to a level. */
export function levelFromSyslog(severity: number): Level | undefined {
  return Number.isInteger(severity) ? SYSLOG[severity] : undefined;
}

/**
 * A level from a structured field: a name, a pino number, or a syslog severity (0-7).
 *
 * @example
 * normaliseLevel(50) // 'error'
 */
export function normaliseLevel(value: unknown): Level | undefined {
  if (typeof value === 'string') {
    if (/^\d+$/.test(value)) return normaliseLevel(Number(value));
    return levelFromName(value);
  }
  if (typeof value === 'number') return value >= 10 ? levelFromPino(value) : levelFromSyslog(value);
  return undefined;
}
