// Masks values by the secret-sounding name before them (`password=`, `"apiKey":`, `X-Amz-Signature=`, `Api-Key:`), in linear time.

/** Every lowercase word a secret name holds one of: lines without any skip the scan (most lines). */
export const SECRET_WORDS = /pass|pwd|secret|token|key|auth|credential|signature|sig=|mysql/i;

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
]);
/** Query keys that are secrets only in a URL (`?key=`, `&sig=`): elsewhere `key=orders/42` is a name. */
const QUERY_ONLY = new Set(['key', 'sig', 'code']);
/** Values that say nothing: masking them hides no secret and makes the document harder to read. */
const EMPTY_VALUES = new Set(['null', 'true', 'false', 'none', 'nil', 'undefined', '***', '""']);

const WORD_SPLIT = /[_.\-:]+|(?<=[a-z0-9])(?=[A-Z])/;
const NAME_HINT = /pass|pwd|secret|token|key|auth|credential|signature|sig|code/i;
const SUFFIXES = ['password', 'passwd', 'secret', 'token', 'apikey'];

/**
 * Whether a field or key name names a secret. `query` is true when the name follows `?`, `&` or `;`.
 *
 * @example
 * isSecretName('secretAccessKey') // true
 * isSecretName('token_type') // false
 */
export function isSecretName(name: string, query = false): boolean {
  if (name.length > 80 || !NAME_HINT.test(name)) return false;
  const key = query ? `?${name}` : name;
  let known = verdicts.get(key);
  if (known === undefined) {
    // A log repeats the same few names: deciding each once keeps a line of 20,000 pairs cheap.
    if (verdicts.size >= 16_384) verdicts.clear();
    known = decide(name, query);
    verdicts.set(key, known);
  }
  return known;
}

const verdicts = new Map<string, boolean>();

function decide(name: string, query: boolean): boolean {
  const words = name
    .split(WORD_SPLIT)
    .filter((w) => w !== '')
    .map((w) => w.toLowerCase());
  const last = words[words.length - 1];
  if (last === undefined) return false;
  if (LAST.has(last)) return true;
  if (last === 'key' && words.length > 1 && BEFORE_KEY.has(words[words.length - 2]!)) return true;
  if (words.length === 1 && QUERY_ONLY.has(last)) return query;
  // One word, run together: `pgpassword`, `csrftoken`, `_authToken` split above, `clientsecret`.
  if (SUFFIXES.some((s) => last.length > s.length && last.endsWith(s))) return true;
  return !DESCRIBES.has(last) && words.some((w) => ANYWHERE.has(w));
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
 * `toString`, Ruby `=>`. Returns `s` itself when nothing was masked.
 *
 * @example
 * maskNamedValues('user=bob password=hunter2', '[REDACTED]') // 'user=bob password=[REDACTED]'
 */
export function maskNamedValues(s: string, mask: string): string {
  let out = '';
  let copied = 0;
  const re = NAME_THEN_SEPARATOR;
  re.lastIndex = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    const name = m[1]!;
    const prev = s.charCodeAt(m.index - 1);
    const query = prev === 0x3f || prev === 0x26 || prev === 0x3b;
    if (!isSecretName(name, query)) {
      // The next name may start right after the separator (`a=password=x`).
      re.lastIndex = m.index + m[0].length;
      continue;
    }
    let at = m.index + m[0].length;
    const lower = name.toLowerCase();
    if (lower.endsWith('authorization')) {
      const scheme = SCHEME.exec(s.slice(at, at + 24));
      if (scheme) at += scheme[0].length;
    }
    const range = valueRange(s, at);
    if (!range) continue;
    const value = s.slice(range[0], range[1]);
    const skip =
      value === mask ||
      EMPTY_VALUES.has(value.toLowerCase()) ||
      // The shell's working directory, not a password.
      (lower.endsWith('pwd') && (value.startsWith('/') || value.startsWith('~')));
    if (!skip) {
      out += s.slice(copied, range[0]) + mask;
      copied = range[1];
    }
    re.lastIndex = Math.max(range[1], re.lastIndex);
  }
  return copied === 0 ? s : out + s.slice(copied);
}

/** `mysql -pSecret`: the client's password flag, glued to its value. */
const MYSQL_PASSWORD = /(?<=\s)-p(?=[^\s-])([^\s]+)/g;

/**
 * Masks the password of a `mysql`/`mysqldump`/`mariadb` command line (`-pValue`).
 *
 * @example
 * maskMysqlPassword('mysql -u root -pS3cret db', '[REDACTED]') // 'mysql -u root -p[REDACTED] db'
 */
export function maskMysqlPassword(s: string, mask: string): string {
  if (!/mysql|mariadb/i.test(s)) return s;
  return s.replace(MYSQL_PASSWORD, () => `-p${mask}`);
}
