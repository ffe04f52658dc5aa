// Masks payment card numbers: digit runs of card length that pass the Luhn check and start with a card network's prefix.

// Not inside a word: a run of digits in a hex id (`traceId: 2a39e1…f1c`) is no card number.
const LUHN_CANDIDATE = /(?<![\dA-Za-z.-])\d(?:[ -]?\d){12,18}(?![\dA-Za-z.])/g;
// Issuer prefixes of card networks: epoch times (17…), order numbers starting with 1 and the like are not cards.
const CARD_PREFIX = /^(?:4|5[1-5]|2[2-7]|3[47]|3[0689]|35|6(?:011|5|4[4-9]|2))/;

/**
 * Luhn checksum over the digits of `s`.
 *
 * @example
 * luhnValid('4111111111111111') // true
 */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Neither a digit nor a space or dash: no digit run goes through it. */
function breaksRun(c: number): boolean {
  return !((c >= 48 && c <= 57) || c === 32 || c === 45);
}

/**
 * True when `s` holds `min` digits in a row, single spaces or dashes allowed between them: what
 * LUHN_CANDIDATE needs before it can match. A plain loop; the regex's lookbehind makes it try every digit.
 * Such a run lies in a stretch of at least `min` characters none of which breaks it, and the loop
 * starts afresh after each character that does: stretches are found by looking `min - 1` ahead
 * (most text breaks a run every few characters, so most characters are never read) and only they
 * are read whole.
 *
 * @example
 * hasDigitRun('card 4111-1111 1111 1111', 13) // true
 * hasDigitRun('GET /orders/42 200 1234567', 13) // false
 */
export function hasDigitRun(s: string, min: number): boolean {
  let start = 0;
  while (start + min <= s.length) {
    let j = start + min - 1;
    while (j >= start && !breaksRun(s.charCodeAt(j))) j--;
    if (j >= start) {
      start = j + 1;
      continue;
    }
    let end = start + min;
    while (end < s.length && !breaksRun(s.charCodeAt(end))) end++;
    if (digitRunIn(s, start, end, min)) return true;
    start = end + 1;
  }
  return false;
}

/** The run check over `s[from, to)`, a stretch with no character that breaks a run. */
function digitRunIn(s: string, from: number, to: number, min: number): boolean {
  let run = 0;
  let sep = false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++run >= min) return true;
      sep = false;
    } else if (run > 0 && !sep) {
      sep = true;
    } else {
      run = 0;
      sep = false;
    }
  }
  return false;
}

/**
 * Luhn over the digits of a candidate (its spaces and dashes skipped), then the issuer prefix.
 *
 * @example
 * isCard('4111 1111 1111 1111') // true
 */
export function isCard(candidate: string): boolean {
  let digits = 0;
  let sum = 0;
  let double = false;
  for (let i = candidate.length - 1; i >= 0; i--) {
    let d = candidate.charCodeAt(i) - 48;
    if (d < 0 || d > 9) continue;
    digits++;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  if (digits < 13 || digits > 19 || sum % 10 !== 0) return false;
  let head = '';
  for (let i = 0; i < candidate.length && head.length < 4; i++) {
    const c = candidate.charCodeAt(i);
    if (c >= 48 && c <= 57) head += candidate[i];
  }
  return CARD_PREFIX.test(head);
}

/**
 * Masks every card number in `s`.
 *
 * @example
 * maskCards('card 4111111111111111 ok', '[REDACTED]') // 'card [REDACTED] ok'
 */
export function maskCards(s: string, mask: string): string {
  if (!hasDigitRun(s, 13)) return s;
  LUHN_CANDIDATE.lastIndex = 0;
  return s.replace(LUHN_CANDIDATE, (m) => (isCard(m) ? mask : m));
}
