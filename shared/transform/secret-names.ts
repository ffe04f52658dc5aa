// Whether a field or key name names a secret (`password`, `secretAccessKey`, `X-Amz-Signature`), judged word by word in one scan.
import { isAsciiAlnum } from './chars.ts';

/** Last words that name a secret on their own: `db_password`, `id_token`, `X-Amz-Signature`. */
const LAST = new Set([
  'password',
  'passwd',
  'pwd',
  'pass',
  'passphrase',
  'secret',
  'token',
  'credential',
  'credentials',
  'signature',
  'apikey',
  'authorization',
  'privatekey',
  'secretkey',
]);
/** Words before `key` that make it a secret: `api_key`, `x-api-key`, `private_key`, `AccountKey`. */
const BEFORE_KEY = new Set([
  'api',
  'private',
  'secret',
  'account',
  'signing',
  'encryption',
  'master',
  'auth',
  'shared',
  'client',
]);
/** A name holding `password` or `secret` is one, unless its last word says it describes one. */
const ANYWHERE = new Set(['password', 'passwd', 'secret', 'secrets']);
const DESCRIBES = new Set([
  'name',
  'names',
  'id',
  'ids',
  'arn',
  'type',
  'length',
  'policy',
  'file',
  'path',
  'ref',
  'version',
  'count',
  'expired',
  'expiry',
  'expires',
  'expiration',
  'at',
  'reset',
  'changed',
  'set',
  'required',
  'enabled',
  'hint',
  'prompt',
  'field',
  'label',
  'rotation',
  'manager',
  'store',
  'provider',
  'min',
  'max',
  'strength',
  // `docker login --password-stdin`: the flag says where the password comes from.
  'stdin',
]);
/** Query keys that are secrets only in a URL (`?key=`, `&sig=`): elsewhere `key=orders/42` is a name. */
const QUERY_ONLY = new Set(['key', 'sig', 'code']);
const SUFFIXES = ['password', 'passwd', 'secret', 'token', 'apikey'];

/** Whether `word` (lowercase) is at `i` of `s`, letters compared without case. */
function wordAt(s: string, i: number, word: string): boolean {
  if (i + word.length > s.length) return false;
  for (let k = 0; k < word.length; k++)
    if ((s.charCodeAt(i + k) | 0x20) !== word.charCodeAt(k)) return false;
  return true;
}

/**
 * Whether `name` holds `pass`, `pwd`, `secret`, `token`, `key`, `auth`, `credential`, `sig` or
 * `code` in any case: every secret name does, and most names are judged by this alone. A loop,
 * as a case-blind regex costs ~150 ns a name, a few times this.
 */
function mayName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    switch (name.charCodeAt(i) | 0x20) {
      case 0x70: // p
        if (wordAt(name, i, 'pass') || wordAt(name, i, 'pwd')) return true;
        break;
      case 0x73: // s
        if (wordAt(name, i, 'secret') || wordAt(name, i, 'sig')) return true;
        break;
      case 0x74: // t
        if (wordAt(name, i, 'token')) return true;
        break;
      case 0x6b: // k
        if (wordAt(name, i, 'key')) return true;
        break;
      case 0x61: // a
        if (wordAt(name, i, 'auth')) return true;
        break;
      case 0x63: // c
        if (wordAt(name, i, 'credential') || wordAt(name, i, 'code')) return true;
        break;
    }
  }
  return false;
}

/** The verdict last given: text of many pairs repeats one name (`password=a password=b …`). */
let lastName = '';
let lastQuery = false;
let lastVerdict = false;

/**
 * Whether a field or key name names a secret. `query` is true when the name follows `?`, `&` or `;`.
 *
 * @example
 * isSecretName('secretAccessKey') // true
 * isSecretName('token_type') // false
 */
export function isSecretName(name: string, query = false): boolean {
  if (name.length > 80 || !mayName(name)) return false;
  if (name === lastName && query === lastQuery) return lastVerdict;
  lastVerdict = decide(name, query);
  lastName = name;
  lastQuery = query;
  return lastVerdict;
}

function isSeparator(c: number): boolean {
  return c === 0x5f || c === 0x2e || c === 0x2d || c === 0x3a;
}

function isLowerOrDigit(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
}

/** A camelCase boundary: an uppercase letter after a lowercase letter or a digit (`apiKey`, `v2Token`). */
function camelAt(name: string, i: number): boolean {
  const c = name.charCodeAt(i);
  return i > 0 && c >= 0x41 && c <= 0x5a && isLowerOrDigit(name.charCodeAt(i - 1));
}

/** Whether [start, end) of `name` is one whole word: bounded by separators, camelCase or the ends. */
function isWord(name: string, start: number, end: number): boolean {
  if (start > 0 && !isSeparator(name.charCodeAt(start - 1)) && !camelAt(name, start)) return false;
  if (end < name.length && !isSeparator(name.charCodeAt(end)) && !camelAt(name, end)) return false;
  for (let i = start + 1; i < end; i++) if (camelAt(name, i)) return false;
  return true;
}

/** Where the word ending at `end` starts: after a separator or at a camelCase boundary. */
function wordStart(name: string, end: number): number {
  let start = end - 1;
  while (start > 0 && !isSeparator(name.charCodeAt(start - 1)) && !camelAt(name, start)) start--;
  return start;
}

/** Where the word before `start` ends, separators skipped; 0 when there is none. */
function wordEndBefore(name: string, start: number): number {
  let end = start;
  while (end > 0 && isSeparator(name.charCodeAt(end - 1))) end--;
  return end;
}

/**
 * The words of a name are split at `_ . - :` and camelCase boundaries and lowercased. Read from the
 * end: most verdicts need only the last word, and no array of words is built (a line may hold
 * 10,000 distinct names).
 */
function decide(name: string, query: boolean): boolean {
  const lastEnd = wordEndBefore(name, name.length);
  if (lastEnd === 0) return false;
  const lastStart = wordStart(name, lastEnd);
  const prevEnd = wordEndBefore(name, lastStart);
  const last = name.slice(lastStart, lastEnd).toLowerCase();
  if (LAST.has(last)) return true;
  if (last === 'key' && prevEnd > 0) {
    const prev = name.slice(wordStart(name, prevEnd), prevEnd).toLowerCase();
    if (BEFORE_KEY.has(prev)) return true;
  }
  if (prevEnd === 0 && QUERY_ONLY.has(last)) return query;
  // One word, run together: `pgpassword`, `csrftoken`, `_authToken` split above, `clientsecret`.
  for (const s of SUFFIXES) if (last.length > s.length && last.endsWith(s)) return true;
  if (DESCRIBES.has(last)) return false;
  // Offsets of `name` must hold in its lowercase form: a few letters (İ) lowercase to two.
  let lower = name.toLowerCase();
  if (lower.length !== name.length) lower = name.replace(/[A-Z]/g, (c) => c.toLowerCase());
  for (const word of ANYWHERE) {
    for (let at = lower.indexOf(word); at >= 0; at = lower.indexOf(word, at + 1))
      if (isWord(name, at, at + word.length)) return true;
  }
  return false;
}

/** The words isSecretName needs one of in a name (mayName): a regex, to search a whole line. */
const NAME_WORDS = /pass|pwd|s(?:ecret|ig)|token|key|auth|c(?:redential|ode)/gi;

function isNameChar(c: number): boolean {
  return isAsciiAlnum(c) || c === 0x5f || c === 0x2e || c === 0x2d;
}

/**
 * Moves `re.lastIndex` forward to the start of the next name that holds a word of NAME_WORDS, or
 * returns false when none is left. `re` is redact-names.ts's name-then-separator scan. Every name before it is no secret, and a match of
 * NAME_THEN_SEPARATOR ends before the next name starts, so the names passed over would only have
 * moved lastIndex to where the next one begins: the scan finds the same secret names, without a
 * match (and its array) per name of the line. Linear: the name is walked back at most to lastIndex,
 * and the next search starts past it.
 *
 * @example
 * const re = /[a-z_]+=/g;
 * skipToSecretWord('a=1 b=2 db_password=x', re); // true, re.lastIndex === 8
 */
export function skipToSecretWord(s: string, re: RegExp): boolean {
  const from = re.lastIndex;
  NAME_WORDS.lastIndex = from;
  // test, not exec: no match array; the word's last letter is inside its name.
  if (!NAME_WORDS.test(s)) return false;
  let start = NAME_WORDS.lastIndex - 1;
  while (start > from && isNameChar(s.charCodeAt(start - 1))) start--;
  re.lastIndex = start;
  return true;
}
