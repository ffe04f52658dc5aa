// The linear-time matcher of a declared log format: literals and variables, one left-to-right pass, no backtracking.
import { digitsAt } from './search.ts';
import { BRACES, BRACKET, type CompiledStep, endOf, LIT, NUMBER_WORD, QUOTED } from './steps.ts';
import type { Apply, Out } from './values.ts';

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

/** {@link scanLine}: the line does not fit the format. */
export const NO_FIT = -1;
/** {@link scanLine}: every value was read. */
export const FIT = 0;
/** {@link scanLine}: the line fits, but a quoted value ran to its end without the closing quote. */
export const FIT_TRUNCATED = 1;

/**
 * Matches `line` against compiled steps in one left-to-right pass, writing each present value
 * (not empty, not an absent `-`) into `out` as it is read (what a line that then fails to fit
 * wrote is the caller's to discard): every literal is found with a forward search from where the
 * previous value ended, so the work is linear in the line. Returns {@link NO_FIT}, {@link FIT} or
 * {@link FIT_TRUNCATED}.
 *
 * @example
 * scanLine(steps, '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 5', opts, out)
 */
export function scanLine(
  steps: readonly CompiledStep[],
  line: string,
  opts: ScanOptions,
  out: Out,
): number {
  let result = FIT;
  let i = 0;
  let lastEmpty = false;
  for (let n = 0; n < steps.length; n++) {
    const step = steps[n]!;
    if (step.kind === LIT) {
      let lit = step.lit;
      if (
        opts.separators &&
        lastEmpty &&
        lit.charCodeAt(0) === 0x20 &&
        line.charCodeAt(i - 1) === 0x20
      )
        lit = step.litRest;
      // Most literals are one character: no substring compare for those.
      if (lit.length === 1 ? line.charCodeAt(i) !== lit.charCodeAt(0) : !line.startsWith(lit, i))
        return NO_FIT;
      i += lit.length;
      continue;
    }
    const kind = step.kind;
    if (kind === NUMBER_WORD) {
      // Digits up to the literal: the number is read on the way, as untilWord would end there.
      let value = 0;
      let j = i;
      for (; j < line.length; j++) {
        const d = line.charCodeAt(j) - 0x30;
        if (d < 0 || d > 9) break;
        value = value * 10 + d;
      }
      if (j > i && j - i <= 15 && line.charCodeAt(j) === step.next.charCodeAt(0)) {
        step.ofDigits!(out, value);
        lastEmpty = false;
        i = j + 1;
        n++;
        continue;
      }
    }
    const v = step.v!;
    const end = endOf(step, line, i);
    if (end < i) return NO_FIT;
    lastEmpty = end === i;
    // The value without what the shape wraps it in.
    let from = i;
    let to = end;
    if (kind === BRACKET || kind === BRACES) {
      from++;
      to--;
    } else if (kind === QUOTED && line.charCodeAt(i) === 0x22) {
      from++;
      if (end - i > 1 && line.charCodeAt(end - 1) === 0x22) to--;
      else result = FIT_TRUNCATED;
    }
    if (step.found && end > i) {
      i = end + step.next.length;
      n++;
    } else i = end;
    if (to <= from) continue;
    if (to - from === 1 && line.charCodeAt(from) === 0x2d && !v.dashIsValue) continue;
    const ofDigits = step.ofDigits;
    if (ofDigits !== undefined) {
      const value = digitsAt(line, from, to);
      if (value >= 0) {
        ofDigits(out, value);
        continue;
      }
    }
    const raw = line.slice(from, to);
    const decode = step.decode;
    v.apply(out, decode === undefined ? raw : decode(raw));
  }
  // Trailing blanks and a carriage return are not part of the format.
  while (i < line.length && (line.charCodeAt(i) === 0x20 || line.charCodeAt(i) === 0x0d)) i++;
  return i === line.length ? result : NO_FIT;
}
