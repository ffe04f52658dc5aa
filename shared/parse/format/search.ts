// The forward searches a declared-format scan is made of: each starts where the last value ended and never looks back.

/**
 * Where `lit` next starts at or after `i`, or -1; with `backslash`, a `\` escapes the character after it.
 *
 * @example
 * until('a\\" b" c', 0, '"', true) // 5
 */
export function until(line: string, i: number, lit: string, backslash: boolean): number {
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

/**
 * Like {@link until}, but a space before the literal means the line does not fit.
 *
 * @example
 * untilWord('200 OK', 0, ' ') // 3
 */
export function untilWord(line: string, i: number, lit: string): number {
  const first = lit.charCodeAt(0);
  const single = lit.length === 1;
  for (let j = i; j < line.length; j++) {
    const c = line.charCodeAt(j);
    if (c === first && (single || line.startsWith(lit, j))) return j;
    if (c === 0x20) return -1;
  }
  return -1;
}

/**
 * The end of a last word: the line's end, or trailing blanks.
 *
 * @example
 * wordEnd('abc  ', 0) // 3
 */
export function wordEnd(line: string, i: number): number {
  const sp = line.indexOf(' ', i);
  if (sp < 0) return line.length;
  for (let j = sp; j < line.length; j++) {
    const c = line.charCodeAt(j);
    if (c !== 0x20 && c !== 0x0d) return -1;
  }
  return sp;
}

/**
 * A character an address may hold (IPv4, IPv6 with brackets and zone, hostnames).
 *
 * @example
 * isAddressChar(0x3a) // true (':')
 */
export function isAddressChar(c: number): boolean {
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

/**
 * Where a CLF time starting at `i` ends: `dd/Mon/yyyy:HH:MM:SS`, then an optional fraction and an
 * optional ` +zzzz`; -1 when there is none.
 *
 * @example
 * scanClf('[10/Oct/2000:13:55:36 -0700]', 1) // 27
 */
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

/**
 * Reads `line[from, to)` as a number when it is 1-15 ASCII digits (exact in a double), else -1.
 *
 * @example
 * digitsAt('x 0042 y', 2, 6) // 42
 */
export function digitsAt(line: string, from: number, to: number): number {
  if (to - from > 15) return -1;
  let n = 0;
  for (let k = from; k < to; k++) {
    const d = line.charCodeAt(k) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}
