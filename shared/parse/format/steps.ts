// A declared format's steps compiled once: how each variable finds its end, decided from the format, not per line.

import type { Scan, ScanOptions, Step, Variable } from './scan.ts';
import { isAddressChar, scanClf, until, untilWord, wordEnd } from './search.ts';
import type { Out } from './values.ts';

// How a compiled step finds its end: decided once per format, so a line does not re-read the shape.
export const LIT = 0;
const CLF = 1;
export const BRACKET = 2;
export const BRACES = 3;
export const QUOTED = 4;
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
export const NUMBER_WORD = 13;

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

/**
 * Where the value of a variable step that starts at `i` ends (exclusive), or -1 when the line does
 * not fit there.
 *
 * @example
 * endOf(compileSteps(steps, opts, decode)[0]!, '200 512', 0) // 3
 */
export function endOf(step: CompiledStep, line: string, i: number): number {
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
