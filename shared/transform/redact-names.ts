// Masks values by the secret-sounding name before them (`password=`, `"apiKey":`, `X-Amz-Signature=`, `Api-Key:`), in linear time.
import { isAsciiAlnum } from './chars.ts';
import { isSecretName, skipToSecretWord } from './secret-names.ts';

/** Every lowercase word a secret name holds one of: lines without any skip the scan (most lines). */
export const SECRET_WORDS = /pass|pwd|secret|token|key|auth|credential|signature|sig=|mysql/i;

/**
 * Values that are no secret: empty ones, and words saying what became of one (`Token: expired`,
 * `password=incorrect`). A password that is one of these words is guessed before it is read.
 */
const NO_SECRET = new Set([
  'null',
  'true',
  'false',
  'none',
  'nil',
  'undefined',
  '""',
  "''",
  'expired',
  'invalid',
  'missing',
  'required',
  'incorrect',
  'wrong',
  'denied',
  'failed',
  'ok',
  'valid',
  'revoked',
  'refreshed',
  'rotated',
  'rejected',
  'accepted',
  'present',
  'absent',
  'empty',
  'unset',
  'set',
  'mismatch',
  'provided',
  'supplied',
  'redacted',
  'masked',
  'hidden',
  'filtered',
  'unknown',
  'changed',
  'updated',
  'reset',
  'n/a',
]);

/**
 * Whether `value` (or `s` from `start` to `end`) holds no secret: the mask itself, a word of
 * NO_SECRET, or asterisks an application already masked with.
 *
 * @example
 * saysNothing('expired', '[REDACTED]') // true
 */
export function saysNothing(value: string, mask: string, start = 0, end = value.length): boolean {
  const n = end - start;
  if (n === mask.length && value.startsWith(mask, start)) return true;
  if (n > 9) return false;
  let stars = true;
  for (let i = start; i < end && stars; i++) stars = value.charCodeAt(i) === 0x2a;
  return stars || NO_SECRET.has(value.slice(start, end).toLowerCase());
}

/** Whether `name` ends with `suffix` (lowercase), letters compared without case. */
function endsWithWord(name: string, suffix: string): boolean {
  const from = name.length - suffix.length;
  if (from < 0) return false;
  for (let i = 0; i < suffix.length; i++)
    if ((name.charCodeAt(from + i) | 0x20) !== suffix.charCodeAt(i)) return false;
  return true;
}

/**
 * A name (letters, digits, `_ . -`) not inside a longer one, its closing quote if it has one
 * (`"`, `'`, `\"`), then `=`, `:`, `=>` or `:=`. Linear: a match starts only where a name starts
 * (the lookbehind), and a name is at most 80 characters, so each start costs a bounded amount.
 */
const NAME_THEN_SEPARATOR =
  /(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]{1,80})(?:\\{0,3}["'])?[ \t]{0,8}(=>|:=|=|:)[ \t]{0,8}/g;

/** Characters that end an unquoted value. */
function endsValue(c: number): boolean {
  // whitespace , ; & " ' \ } ] ) > < |
  return (
    c <= 0x20 ||
    c === 0x2c ||
    c === 0x3b ||
    c === 0x26 ||
    c === 0x22 ||
    c === 0x27 ||
    c === 0x5c ||
    c === 0x7d ||
    c === 0x5d ||
    c === 0x29 ||
    c === 0x3e ||
    c === 0x3c ||
    c === 0x7c
  );
}

/** Backslashes right before `i`. */
function backslashesBefore(s: string, i: number, from: number): number {
  let n = 0;
  while (i - n - 1 >= from && s.charCodeAt(i - n - 1) === 0x5c) n++;
  return n;
}

/**
 * Where the value starting at `i` ends: a quoted value at its closing quote (`"` or `\"`, the escape
 * level it opened with, or `'`), an unquoted one at the first character that ends a value. Returns
 * [start, end) of the text to mask, or undefined when there is none (an object, an array, nothing).
 */
function valueRange(s: string, i: number): [number, number] | undefined {
  let escapes = 0;
  while (s.charCodeAt(i + escapes) === 0x5c) escapes++;
  const q = s.charCodeAt(i + escapes);
  if (q === 0x22 || (q === 0x27 && escapes === 0)) {
    const start = i + escapes + 1;
    let j = start;
    for (; j < s.length; j++) {
      const c = s.charCodeAt(j);
      if (c === 0x0a && escapes === 0) break;
      if (c === q && backslashesBefore(s, j, start) === escapes) break;
    }
    const end = j - escapes;
    return end > start ? [start, end] : undefined;
  }
  if (escapes > 0 || q === 0x7b || q === 0x5b) return undefined;
  let j = i;
  while (j < s.length && !endsValue(s.charCodeAt(j))) j++;
  return j > i ? [i, j] : undefined;
}

/** Schemes whose credentials are one token after them: `Authorization: Bearer <token>`. */
const SCHEME = /^(?:Bearer|Basic|Token|Bot|Key|ApiKey|SSWS|OAuth|Splunk|DSN)[ \t]+/i;

/**
 * Masks the value after every secret name in `s`: key=value and `key: value` text, env dumps, form
 * bodies, URL queries, headers, JSON (also escaped inside JSON strings), YAML, Python dicts, Java
 * `toString`, Ruby `=>`. Returns `s` itself when nothing was masked. `everyName` reads every name
 * of the line instead of skipping to those that may name a secret: the plain scan, which the skip is
 * tested against.
 *
 * @example
 * maskNamedValues('user=bob password=hunter2', '[REDACTED]') // 'user=bob password=[REDACTED]'
 */
export function maskNamedValues(s: string, mask: string, everyName = false): string {
  let out = '';
  let copied = 0;
  const re = NAME_THEN_SEPARATOR;
  re.lastIndex = 0;
  // Skips that pass over no name (a line of secret names only) cost a second scan of each name:
  // after a few in a row, the line is read name by name, which finds the same names.
  let skipping = !everyName;
  let idle = 0;
  for (;;) {
    if (skipping) {
      const from = re.lastIndex;
      if (!skipToSecretWord(s, re)) break;
      idle = re.lastIndex - from < 8 ? idle + 1 : 0;
      if (idle >= 8) skipping = false;
    }
    const m = re.exec(s);
    if (m === null) break;
    const name = m[1]!;
    const prev = s.charCodeAt(m.index - 1);
    const query = prev === 0x3f || prev === 0x26 || prev === 0x3b;
    if (!isSecretName(name, query)) {
      // The next name may start right after the separator (`a=password=x`).
      re.lastIndex = m.index + m[0].length;
      continue;
    }
    let at = m.index + m[0].length;
    if (endsWithWord(name, 'authorization')) {
      const scheme = SCHEME.exec(s.slice(at, at + 24));
      if (scheme) at += scheme[0].length;
    }
    const range = valueRange(s, at);
    if (!range) continue;
    const [start, end] = range;
    const first = s.charCodeAt(start);
    const skip =
      saysNothing(s, mask, start, end) ||
      // The shell's working directory, not a password.
      (endsWithWord(name, 'pwd') && (first === 0x2f || first === 0x7e));
    if (!skip) {
      out += s.slice(copied, start) + mask;
      copied = end;
    }
    re.lastIndex = Math.max(range[1], re.lastIndex);
  }
  return copied === 0 ? s : out + s.slice(copied);
}

/** A character of a command-line option's name. */
function isOptionChar(c: number): boolean {
  return isAsciiAlnum(c) || c === 0x5f || c === 0x2d || c === 0x2e;
}

/**
 * Masks the value after a secret long option and a space: `--password hunter2`, `--api-key "k"`,
 * `--token t`, `--secret s` (the `--name=value` form is a named value). A value starting with `-`
 * is the next option, not this one's value. One pass over `--` hits, each reading its name (at
 * most 80 characters) and value once, so the scan is linear.
 *
 * @example
 * maskOptionValues('vault login --token s.abc --no-print', '[REDACTED]')
 * // 'vault login --token [REDACTED] --no-print'
 */
export function maskOptionValues(s: string, mask: string): string {
  let out = '';
  let copied = 0;
  let i = s.indexOf('--');
  while (i >= 0) {
    const prev = i > 0 ? s.charCodeAt(i - 1) : 0x20;
    let end = i + 2;
    while (end < s.length && end - i < 82 && isOptionChar(s.charCodeAt(end))) end++;
    // Quoted as in an argument list (`["--token", "t"]`, escaped inside a JSON string too): the
    // closing quote and a comma may come before the space.
    let at = end;
    while (at < s.length && at - end < 3 && s.charCodeAt(at) === 0x5c) at++;
    const q = s.charCodeAt(at);
    at = q === 0x22 || q === 0x27 ? at + 1 : end;
    const closed = at;
    if (at > end && s.charCodeAt(at) === 0x2c) at++;
    while (at < s.length && (s.charCodeAt(at) === 0x20 || s.charCodeAt(at) === 0x09)) at++;
    let v = at;
    while (v < s.length && v - at < 4 && (s.charCodeAt(v) === 0x5c || s.charCodeAt(v) === q)) v++;
    // An option starts a word, is followed by a space or a comma, and its value is no option itself.
    const option =
      (prev <= 0x20 || prev === 0x22 || prev === 0x27) &&
      at > closed &&
      s.charCodeAt(v) !== 0x2d &&
      isSecretName(s.slice(i + 2, end));
    const range = option ? valueRange(s, at) : undefined;
    if (range && !saysNothing(s, mask, range[0], range[1])) {
      out += s.slice(copied, range[0]) + mask;
      copied = range[1];
    }
    i = s.indexOf('--', Math.max(range ? range[1] : at, i + 2));
  }
  return copied === 0 ? s : out + s.slice(copied);
}

/**
 * Whether `arg` is a long option naming a secret (`--password`, `--api-key`): in an argument list,
 * the element after it is the secret.
 *
 * @example
 * isSecretOption('--token') // true
 */
export function isSecretOption(arg: unknown): boolean {
  return (
    typeof arg === 'string' &&
    arg.length <= 82 &&
    arg.startsWith('--') &&
    isSecretName(arg.slice(2))
  );
}

/** `mysql -pSecret` and `mysql -p Secret`: the client's password flag and its value. */
const MYSQL_PASSWORD = /(?<=\s)-p([ \t]*)(?=[^\s-])[^\s]+/g;

/**
 * Masks the password of a `mysql`/`mysqldump`/`mariadb` command line (`-pValue`, `-p Value`). The
 * client reads `-p Value` as "prompt, and use database Value": masked all the same, since people
 * type it meaning the password.
 *
 * @example
 * maskMysqlPassword('mysql -u root -pS3cret db', '[REDACTED]') // 'mysql -u root -p[REDACTED] db'
 */
export function maskMysqlPassword(s: string, mask: string): string {
  // The flag first: a case-blind search for the client's name costs more than one for `-p`.
  if (!s.includes('-p') || !/mysql|mariadb/i.test(s)) return s;
  return s.replace(MYSQL_PASSWORD, (_m, space: string) => `-p${space}${mask}`);
}
