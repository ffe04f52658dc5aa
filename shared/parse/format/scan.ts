// The linear-time matcher of a declared log format: literals and variables, one left-to-right pass, no backtracking.
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

function until(line: string, i: number, lit: string, backslash: boolean): number {
  if (!backslash) return line.indexOf(lit, i);
  if (lit.charCodeAt(0) === 0x5c) return untilByChar(line, i, lit);
  // Jumps from backslash to backslash with indexOf instead of reading every character: the
  // literal found at `k` stands unless a backslash before it escapes it. Each search starts past
  // the previous one, so the work stays linear in the line.
  let k = line.indexOf(lit, i);
  let j = i;
  while (k >= 0) {
    const b = line.indexOf('\\', j);
    if (b < 0 || b >= k) return k;
    j = b + 2;
    if (j > k) k = line.indexOf(lit, j);
  }
  return -1;
}

/** {@link until} one character at a time, for a literal that itself starts with a backslash. */
function untilByChar(line: string, i: number, lit: string): number {
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
  const single = lit.length === 1;
  for (let j = i; j < line.length; j++) {
    const c = line.charCodeAt(j);
    if (c === first && (single || line.startsWith(lit, j))) return j;
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

/** Where `dd/Mon/yyyy:HH:MM:SS` has its digits. */
const CLF_DIGITS = [0, 1, 7, 8, 9, 10, 12, 13, 15, 16, 18, 19];

/** `dd/Mon/yyyy:HH:MM:SS`, then an optional fraction and an optional ` +zzzz`. */
export function scanClf(line: string, i: number): number {
  if (line.length < i + 20 || line.charCodeAt(i + 2) !== 0x2f || line.charCodeAt(i + 6) !== 0x2f)
    return -1;
  for (const d of CLF_DIGITS) if (!isDigit(line, i + d)) return -1;
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

// How a compiled step finds its end: decided once per format, so a line does not re-read the shape.
const LIT = 0;
const CLF = 1;
const BRACKET = 2;
const BRACES = 3;
const QUOTED = 4;
const LIST = 5;
const ADDRESS = 6;
const CUSTOM = 7;
/** Tails: where a `text` value (and a `quoted` or `address` one that is not) ends. */
const TO_END = 8;
const WORD_TO_END = 9;
const INDEX_OF = 10;
const UNTIL_ESCAPED = 11;
const UNTIL_WORD = 12;
/** An `UNTIL_WORD` number before a one-character literal: digits read while finding the end. */
const NUMBER_WORD = 13;

/** A step compiled for one format: every field set, so all steps share one shape. */
export interface CompiledStep {
  kind: number;
  /** How a value of kind `quoted` or `address` ends when the line does not have that shape there. */
  tail: number;
  lit: string;
  /** `lit` without its leading space (HAProxy's merged separators). */
  litRest: string;
  v: Variable | undefined;
  next: string;
  backslash: boolean;
  scan: Scan | undefined;
  /**
   * The end is found where the literal after the value starts: that literal is then matched too,
   * and its step skipped (unless the value is empty: HAProxy's merged separators).
   */
  found: boolean;
  /** Undoes the server's escaping of this variable's value, where it escapes it. */
  decode: ((raw: string) => string) | undefined;
  /** The variable's write for a value of digits only, handed the number (see {@link Apply}). */
  ofDigits: ((out: Out, n: number) => void) | undefined;
}

function tailOf(v: Variable, next: string | undefined, backslash: boolean): number {
  if (next === undefined) return v.word ? WORD_TO_END : TO_END;
  if (v.word && !backslash) return UNTIL_WORD;
  return backslash ? UNTIL_ESCAPED : INDEX_OF;
}

function kindOf(v: Variable, next: string | undefined, tail: number): number {
  const shape = v.shape;
  if (typeof shape === 'function') return CUSTOM;
  switch (shape) {
    case 'clf':
      return CLF;
    case 'bracket':
      return BRACKET;
    case 'braces':
      return BRACES;
    case 'quoted':
      return QUOTED;
    case 'list':
      return next === undefined ? TO_END : LIST;
    case 'address':
      return next?.charCodeAt(0) === 0x3a ? ADDRESS : tail;
  }
  return tail;
}

/** Kinds whose end is the start of the literal after the value. */
const FINDS_NEXT = new Set([INDEX_OF, UNTIL_WORD, UNTIL_ESCAPED, NUMBER_WORD, LIST, ADDRESS]);

/**
 * Compiles steps for {@link scanLine}: each variable's way to find its end is chosen here, once.
 *
 * @example
 * compileSteps([{ v: status }, { lit: ' ' }, { v: bytes }], { backslash: false, separators: false }, unescapeNginx)
 */
export function compileSteps(
  steps: readonly Step[],
  opts: ScanOptions,
  decode: (raw: string) => string,
): CompiledStep[] {
  return steps.map((step): CompiledStep => {
    const base = {
      lit: '',
      litRest: '',
      v: undefined,
      next: '',
      backslash: false,
      scan: undefined,
      found: false,
      decode: undefined,
      ofDigits: undefined,
    };
    if (step.lit !== undefined)
      return {
        ...base,
        kind: LIT,
        tail: LIT,
        lit: step.lit,
        litRest: step.lit.slice(1),
      };
    const v = step.v!;
    const backslash = opts.backslash || v.backslash === true;
    const tail = tailOf(v, step.next, backslash);
    let kind = kindOf(v, step.next, tail);
    const nextCode = step.next?.length === 1 ? step.next.charCodeAt(0) : -1;
    if (
      kind === UNTIL_WORD &&
      v.apply.ofDigits &&
      nextCode >= 0 &&
      (nextCode < 0x30 || nextCode > 0x39)
    )
      kind = NUMBER_WORD;
    return {
      ...base,
      kind,
      tail,
      v,
      next: step.next ?? '',
      backslash,
      scan: typeof v.shape === 'function' ? v.shape : undefined,
      found: step.next !== undefined && FINDS_NEXT.has(kind),
      decode: v.escaped ? decode : undefined,
      ofDigits: v.apply.ofDigits,
    };
  });
}

function endOf(step: CompiledStep, line: string, i: number): number {
  const next = step.next;
  switch (step.kind) {
    case INDEX_OF:
      return line.indexOf(next, i);
    case UNTIL_WORD:
    case NUMBER_WORD:
      return untilWord(line, i, next);
    case CLF:
      return scanClf(line, i);
    case BRACKET: {
      if (line.charCodeAt(i) !== 0x5b) return -1;
      const j = line.indexOf(']', i);
      return j < 0 ? -1 : j + 1;
    }
    case BRACES: {
      if (line.charCodeAt(i) !== 0x7b) return i;
      const j = line.indexOf('}', i);
      return j < 0 ? -1 : j + 1;
    }
    case QUOTED: {
      if (line.charCodeAt(i) !== 0x22) break;
      const j = until(line, i + 1, '"', step.backslash);
      return j < 0 ? line.length : j + 1;
    }
    case LIST:
      for (let j = i; ; ) {
        const k = until(line, j, next, step.backslash);
        if (k < 0) return -1;
        if (line.charCodeAt(k - 1) === 0x2c /* , */) j = k + 1;
        else if (line.startsWith(' : ', k)) j = k + 3;
        else return k;
      }
    case ADDRESS: {
      let run = i;
      while (run < line.length && isAddressChar(line.charCodeAt(run))) run++;
      const j = line.lastIndexOf(next, run);
      return j >= i ? j : -1;
    }
    case CUSTOM:
      return step.scan!(line, i);
  }
  return tailEnd(step.tail, line, i, next);
}

function tailEnd(tail: number, line: string, i: number, next: string): number {
  switch (tail) {
    case INDEX_OF:
      return line.indexOf(next, i);
    case UNTIL_WORD:
      return untilWord(line, i, next);
    case UNTIL_ESCAPED:
      return until(line, i, next, true);
    case WORD_TO_END:
      return wordEnd(line, i);
  }
  return line.length;
}

/** {@link scanLine}: the line does not fit the format. */
export const NO_FIT = -1;
/** {@link scanLine}: every value was read. */
export const FIT = 0;
/** {@link scanLine}: the line fits, but a quoted value ran to its end without the closing quote. */
export const FIT_TRUNCATED = 1;

/** Reads `line[from, to)` as a number when it is 1-15 ASCII digits (exact in a double), else -1. */
function digitsAt(line: string, from: number, to: number): number {
  if (to - from > 15) return -1;
  let n = 0;
  for (let k = from; k < to; k++) {
    const d = line.charCodeAt(k) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

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
