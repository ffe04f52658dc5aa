// Normalises level names and numbers (pino, syslog) to trace/debug/info/warn/error/fatal.
import type { Level } from '#shared/model.ts';

const NAMES: Record<string, Level> = {
  trace: 'trace', finest: 'trace', finer: 'trace', verbose: 'trace',
  debug: 'debug', dbg: 'debug', fine: 'debug', config: 'debug',
  info: 'info', information: 'info', informational: 'info', notice: 'info', inf: 'info',
  warn: 'warn', warning: 'warn', wrn: 'warn',
  error: 'error', err: 'error', severe: 'error', eror: 'error',
  fatal: 'fatal', critical: 'fatal', crit: 'fatal', alert: 'fatal', emerg: 'fatal', emergency: 'fatal', panic: 'fatal',
};

/** Syslog severities 0 (emerg) to 7 (debug). */
const SYSLOG: Level[] = ['fatal', 'fatal', 'fatal', 'error', 'warn', 'info', 'info', 'debug'];

/** A level name in any case; undefined when it is not one. */
export function levelFromName(name: string): Level | undefined {
  return NAMES[name.trim().toLowerCase()];
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

export function levelFromSyslog(severity: number): Level | undefined {
  return SYSLOG[severity];
}

/** A level from a structured field: a name, a pino number, or a syslog severity (0-7). */
export function normaliseLevel(value: unknown): Level | undefined {
  if (typeof value === 'string') {
    if (/^\d+$/.test(value)) return normaliseLevel(Number(value));
    return levelFromName(value);
  }
  if (typeof value === 'number') return value >= 10 ? levelFromPino(value) : levelFromSyslog(value);
  return undefined;
}
