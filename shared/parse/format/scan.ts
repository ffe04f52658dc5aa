// The linear-time matcher of a declared log format: literals and variables, one left-to-right pass, no backtracking.
import type { Apply } from './values.ts';

/** Finds where a value that starts at `i` ends (exclusive), or -1 when the line does not fit. */
export type Scan = (line: string, i: number) => number;

/**
 * How the scanner finds the end of a value:
 * - `text`: up to the first occurrence of the literal that follows (backslash escapes skipped where
 *   the server writes them);
 * - `address`: an address followed by `:` (`%ci:%cp`): up to the last `:` of the address run, so an
 *   IPv6 literal keeps its colons;
 * - `clf`: `10/Oct/2000:13:55:36[.655][ -0700]`, which may hold a space;
 * - `bracket`: `[…]`, brackets written by the variable itself (Apache `%t`);
 * - `braces`: `{…}` or nothing (HAProxy captures, absent when none are configured);
 * - `quoted`: `"…"` written by the variable itself (HAProxy `+Q`), unterminated when the line was
 *   cut at the server's length limit; or `-`;
 * - `list`: nginx's per-upstream lists (`a, b : c`), whose `, ` and ` : ` are not the end;
 * - a function, for shapes of their own (strftime times).
 */
export type Shape = 'text' | 'address' | 'clf' | 'bracket' | 'braces' | 'quoted' | 'list' | Scan;

export interface Variable {
  /** As written in the format (`$status`, `%{Referer}i`), for errors. */
  token: string;
  shape: Shape;
  apply: Apply;
  /** `-` is a value (Apache `%X`: connection closed), not absence. */
  dashIsValue?: boolean;
  /** The server escapes this value (request line, headers): decode it before use. */
  escaped?: boolean;
  /** Written with backslash escapes (HAProxy `+E`), whatever the family does. */
  backslash?: boolean;
  /** Only HTTP logs have it (HAProxy): a format using one is `haproxy.http`. */
  http?: boolean;
  /**
   * The value never holds a space (numbers, addresses, ids, times without a zone): a line whose
   * text there does not fit is refused instead of read as one long value.
   */
  word?: boolean;
}

export type Part = { lit: string } | { v: Variable; pos: number };

export interface Step {
  lit?: string;
  v?: Variable;
  /** The literal after a variable: where a `text` value ends; undefined for the last part. */
  next?: string;
}

export interface ScanOptions {
  /** The family writes `\"` inside quoted values (Apache, nginx `escape=json`). */
  backslash: boolean;
  /**
   * HAProxy merges contiguous spaces into one separator and writes none after a variable that wrote
   * nothing: a literal's leading space is then already there.
   */
  separators: boolean;
}

function until(line: string, i: number, lit: string, backslash: boolean): number {
  if (!backslash) return line.indexOf(lit, i);
  const first = lit.charCodeAt(0);
  for (let j = i; j < line.length; j++) {
    const c = line.charCodeAt(j);
    if (c === 0x5c /* \ */) j++;
    else if (c === first && line.startsWith(lit, j)) return j;
  }
  return -1;
}

/** Like {@link until}, but a space before the literal means the line does not fit. */
function untilWord(line: string, i: number, lit: string): number {
  const first = lit.charCodeAt(0);
  for (let j = i; j < line.length; j++) {
    const c = line.charCodeAt(j);
    if (c === first && line.startsWith(lit, j)) return j;
    if (c === 0x20) return -1;
  }
  return -1;
}

/** The end of a last word: the line's end, or trailing blanks. */
function wordEnd(line: string, i: number): number {
  const sp = line.indexOf(' ', i);
  if (sp < 0) return line.length;
  for (let j = sp; j < line.length; j++) {
    const c = line.charCodeAt(j);
    if (c !== 0x20 && c !== 0x0d) return -1;
  }
  return sp;
}

function isAddressChar(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x3a) || // digits and ':'
    (c >= 0x41 && c <= 0x5b) || // A-Z and '['
    (c >= 0x61 && c <= 0x7a) ||
    c === 0x5d || // ']'
    c === 0x2e ||
    c === 0x2d ||
    c === 0x5f ||
    c === 0x25 // '%' of an IPv6 zone
  );
}

function isDigit(line: string, i: number): boolean {
  const c = line.charCodeAt(i);
  return c >= 0x30 && c <= 0x39;
}

/** `dd/Mon/yyyy:HH:MM:SS`, then an optional fraction and an optional ` +zzzz`. */
export function scanClf(line: string, i: number): number {
  if (line.length < i + 20 || line.charCodeAt(i + 2) !== 0x2f || line.charCodeAt(i + 6) !== 0x2f)
    return -1;
  for (const d of [0, 1, 7, 8, 9, 10, 12, 13, 15, 16, 18, 19]) if (!isDigit(line, i + d)) return -1;
  let j = i + 20;
  if (line.charCodeAt(j) === 0x2e /* . */ && isDigit(line, j + 1)) {
    j++;
    while (isDigit(line, j)) j++;
  }
  const sign = line.charCodeAt(j + 1);
  if (line.charCodeAt(j) === 0x20 && (sign === 0x2b || sign === 0x2d)) {
    let k = j + 2;
    while (k < j + 6 && isDigit(line, k)) k++;
    if (k === j + 6) j = k;
  }
  return j;
}

function endOf(v: Variable, step: Step, line: string, i: number, opts: ScanOptions): number {
  const next = step.next;
  const backslash = opts.backslash || v.backslash === true;
  const shape = v.shape;
  if (typeof shape === 'function') return shape(line, i);
  switch (shape) {
    case 'clf':
      return scanClf(line, i);
    case 'bracket': {
      if (line.charCodeAt(i) !== 0x5b) return -1;
      const j = line.indexOf(']', i);
      return j < 0 ? -1 : j + 1;
    }
    case 'braces': {
      if (line.charCodeAt(i) !== 0x7b) return i;
      const j = line.indexOf('}', i);
      return j < 0 ? -1 : j + 1;
    }
    case 'quoted': {
      if (line.charCodeAt(i) !== 0x22) break;
      const j = until(line, i + 1, '"', backslash);
      return j < 0 ? line.length : j + 1;
    }
    case 'list': {
      if (next === undefined) return line.length;
      for (let j = i; ; ) {
        const k = until(line, j, next, backslash);
        if (k < 0) return -1;
        if (line.charCodeAt(k - 1) === 0x2c /* , */) j = k + 1;
        else if (line.startsWith(' : ', k)) j = k + 3;
        else return k;
      }
    }
    case 'address': {
      if (next?.charCodeAt(0) !== 0x3a) break;
      let run = i;
      while (run < line.length && isAddressChar(line.charCodeAt(run))) run++;
      const j = line.lastIndexOf(next, run);
      return j >= i ? j : -1;
    }
  }
  if (next === undefined) return v.word ? wordEnd(line, i) : line.length;
  return v.word && !backslash ? untilWord(line, i, next) : until(line, i, next, backslash);
}

/** Receives each variable's raw text as the scanner reads it. */
export type Visit = (v: Variable, raw: string) => void;

/** What a scan found besides the values. */
export interface ScanResult {
  /** A quoted value ran to the end of the line without its closing quote. */
  truncated: boolean;
}

function unwrap(v: Variable, raw: string, result: ScanResult): string {
  if (v.shape === 'bracket' || v.shape === 'braces') return raw.slice(1, -1);
  if (v.shape === 'quoted' && raw.charCodeAt(0) === 0x22) {
    if (raw.length > 1 && raw.endsWith('"')) return raw.slice(1, -1);
    result.truncated = true;
    return raw.slice(1);
  }
  return raw;
}

/**
 * Matches `line` against compiled steps in one left-to-right pass, handing each value to `visit`
 * as it is read (what a line that then fails to fit gave is the caller's to discard): every
 * literal is found with a forward search from where the previous value ended, so the work is
 * linear in the line.
 *
 * @example
 * scanLine(steps, '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 5', opts, visit)
 */
export function scanLine(
  steps: readonly Step[],
  line: string,
  opts: ScanOptions,
  visit: Visit,
): ScanResult | undefined {
  const result: ScanResult = { truncated: false };
  let i = 0;
  let lastEmpty = false;
  for (const step of steps) {
    if (step.lit !== undefined) {
      let lit = step.lit;
      if (
        opts.separators &&
        lastEmpty &&
        lit.charCodeAt(0) === 0x20 &&
        line.charCodeAt(i - 1) === 0x20
      )
        lit = lit.slice(1);
      if (!line.startsWith(lit, i)) return undefined;
      i += lit.length;
      continue;
    }
    const v = step.v!;
    const end = endOf(v, step, line, i, opts);
    if (end < i) return undefined;
    lastEmpty = end === i;
    visit(v, unwrap(v, line.slice(i, end), result));
    i = end;
  }
  // Trailing blanks and a carriage return are not part of the format.
  while (i < line.length && (line.charCodeAt(i) === 0x20 || line.charCodeAt(i) === 0x0d)) i++;
  return i === line.length ? result : undefined;
}
