// Masks secrets and personal data (emails, Luhn-valid card numbers, AWS keys, bearer tokens, passwords in URLs) in documents and raw lines.

export const REDACT_RULES = [
  'email',
  'credit_card',
  'aws_access_key',
  'bearer_token',
  'url_password',
  'secret_field',
] as const;
export type RedactRule = (typeof REDACT_RULES)[number];

export interface RedactOptions {
  rules: readonly RedactRule[];
  /** Extra patterns from logferry.yml; every match is replaced. */
  patterns?: readonly { name: string; regex: string }[];
  replacement?: string;
}

/** A compiled redactor: `text` masks a string, `document` walks a document. */
export interface Redactor {
  text(s: string): string;
  /** Masks every string (and card-like number under `app`) in place; true when something changed. */
  document(doc: Record<string, unknown>): boolean;
  /**
   * Whether `s` names a field whose value `document` masks by its key alone (`secret_field`): such a
   * value need not look like a secret, so `text` finding nothing in a line does not clear its document.
   */
  namesSecretField(s: string): boolean;
  /**
   * Whether a pattern a quote can be part of matches `s`, a line with its `\"` escapes undone: the
   * rest of the patterns find the same in the escaped line, where `text` already looked.
   */
  quotedMatch(s: string): boolean;
}

interface Pattern {
  /** Cheap test that must pass before the regex runs: most strings hold none of these. */
  hint: (s: string) => boolean;
  /** The hint can only pass when KEYWORDS matches, so one KEYWORDS scan can rule out several patterns. */
  keyword?: true;
  /**
   * A `"` can be part of a match, so in a line whose quotes are escaped (`\"`) this pattern may find
   * what only the unescaped line shows. The others treat `\` and `"` alike, as separators.
   */
  quoted?: true;
  re: RegExp;
  replace: (match: string, ...groups: string[]) => string;
}

/** Every case-insensitive word a `keyword` pattern's hint or regex needs. */
const KEYWORDS = /pass|pwd|secret|token|key|bearer|authorization/i;

const LUHN_CANDIDATE = /(?<![\d.-])\d(?:[ -]?\d){12,18}(?![\d.])/g;
// Issuer prefixes of card networks: epoch times (17…), order numbers starting with 1 and the like are not cards.
const CARD_PREFIX = /^(?:4|5[1-5]|2[2-7]|3[47]|3[0689]|35|6(?:011|5|4[4-9]|2))/;

/**
 * Field names whose string values `secret_field` masks, case-insensitively: by key in a document's `app`,
 * and as `"name":"…"` in text. One list, so the text rule, its pre-check and the key rule cannot drift
 * apart (they did: `"pwd":"…"` passed the old hand-written pre-check unmasked). Plain `[a-z_]` words, so
 * they go into a regex unescaped; each holds a KEYWORDS word, which a test checks.
 */
export const SECRET_FIELD_NAMES = [
  'password',
  'passwd',
  'pwd',
  'pass',
  'secret',
  'client_secret',
  'api_key',
  'apikey',
  'access_token',
  'refresh_token',
  'auth_token',
  'token',
  'authorization',
  'private_key',
  'aws_secret_access_key',
] as const;
const SECRET_NAMES = SECRET_FIELD_NAMES.join('|');
const SECRET_KEY = new RegExp(`^(?:${SECRET_NAMES})$`, 'i');
/** Any of the names anywhere: every match of the `secret_field` regex, and every secret key, holds one. */
const SECRET_NAME = new RegExp(SECRET_NAMES, 'i');

/** Luhn checksum over the digits of `s`. */
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

/**
 * True when `s` holds 13 digits in a row, single spaces or dashes allowed between them: what
 * LUHN_CANDIDATE needs before it can match. A plain loop; the regex's lookbehind makes it try every digit.
 */
function hasDigitRun(s: string, min: number): boolean {
  let run = 0;
  let sep = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++run >= min) return true;
      sep = false;
    } else if ((c === 32 || c === 45) && run > 0 && !sep) {
      sep = true;
    } else {
      run = 0;
      sep = false;
    }
  }
  return false;
}

function isCard(candidate: string): boolean {
  const digits = candidate.replace(/[ -]/g, '');
  return (
    digits.length >= 13 && digits.length <= 19 && CARD_PREFIX.test(digits) && luhnValid(digits)
  );
}

function builtIn(rule: RedactRule, mask: string): Pattern[] {
  switch (rule) {
    case 'email':
      return [
        {
          hint: (s) => s.includes('@'),
          re: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g,
          replace: () => mask,
        },
      ];
    case 'credit_card':
      return [
        {
          hint: (s) => hasDigitRun(s, 13),
          re: LUHN_CANDIDATE,
          replace: (m) => (isCard(m) ? mask : m),
        },
      ];
    case 'aws_access_key':
      return [
        {
          hint: (s) => s.includes('AKIA') || s.includes('ASIA'),
          re: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
          replace: () => mask,
        },
        {
          hint: (s) => /secret_?access_?key/i.test(s),
          keyword: true,
          quoted: true,
          re: /(secret_?access_?key["']?\s*[=:]\s*["']?)[A-Za-z0-9/+=]{40}/gi,
          replace: (_m, key) => `${key}${mask}`,
        },
      ];
    case 'bearer_token':
      return [
        {
          hint: (s) => /bearer/i.test(s),
          keyword: true,
          re: /\b(Bearer)(\s+)[A-Za-z0-9\-._~+/]{8,}=*/gi,
          replace: (_m, scheme, space) => `${scheme}${space}${mask}`,
        },
        {
          // `Basic` alone is an ordinary word: only an Authorization header's value is a credential.
          hint: (s) => /authorization/i.test(s),
          keyword: true,
          quoted: true,
          re: /(authorization["']?\s*[:=]\s*["']?Basic\s+)[A-Za-z0-9+/]{4,}=*/gi,
          replace: (_m, pre) => `${pre}${mask}`,
        },
      ];
    case 'url_password':
      return [
        {
          // The regex needs `user:password@` after the scheme.
          hint: (s) => s.includes('@', s.indexOf('://') + 1) && s.includes('://'),
          re: /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@"']+:)[^\s/@"'\\]+@/gi,
          replace: (_m, pre) => `${pre}${mask}@`,
        },
        {
          hint: (s) => s.includes('='),
          keyword: true,
          re: /([?&;](?:password|passwd|pwd|pass|secret|client_secret|api_?key|access_token|token)=)[^&\s"'#\\]+/gi,
          replace: (_m, pre) => `${pre}${mask}`,
        },
      ];
    case 'secret_field':
      return [
        {
          hint: (s) => SECRET_NAME.test(s),
          keyword: true,
          quoted: true,
          re: new RegExp(`("(?:${SECRET_NAMES})"\\s*:\\s*")(?:[^"\\\\]|\\\\.)*"`, 'gi'),
          replace: (_m, pre) => `${pre}${mask}"`,
        },
        {
          // The same field in a JSON line carried inside a JSON string (FireLens, Docker `log`), where
          // its quotes read `\"`: the parsed field is masked by key, so must the archived line be.
          // A value character is plain, an escape of the outer string (`\n`), or an escape of the inner
          // line (`\\\"`, `\\\\`, `\\n` as the outer string writes them).
          hint: (s) => SECRET_NAME.test(s),
          keyword: true,
          quoted: true,
          re: new RegExp(
            String.raw`(\\"(?:${SECRET_NAMES})\\"\s*:\s*\\")(?:[^"\\]|\\[^"\\]|\\\\(?:\\["\\]|[^"\\]))*\\"`,
            'gi',
          ),
          replace: (_m, pre) => `${pre}${mask}\\"`,
        },
      ];
  }
}

/**
 * Compiles redaction options once per configuration.
 *
 * @example
 * createRedactor({ rules: ['email'] }).text('mail bob@example.com') // 'mail [REDACTED]'
 */
export function createRedactor(opts: RedactOptions): Redactor {
  const mask = opts.replacement ?? '[REDACTED]';
  const patterns: Pattern[] = opts.rules.flatMap((r) => builtIn(r, mask));
  for (const p of opts.patterns ?? [])
    patterns.push({
      hint: () => true,
      quoted: true,
      re: new RegExp(p.regex, 'g'),
      replace: () => mask,
    });
  const secretFields = opts.rules.includes('secret_field');
  const cards = opts.rules.includes('credit_card');

  function text(s: string): string {
    let out = s;
    // One scan for the words several patterns need, again only after a replacement changed the text.
    let words: boolean | undefined;
    for (const p of patterns) {
      if (p.keyword) {
        words ??= KEYWORDS.test(out);
        if (!words) continue;
      }
      if (!p.hint(out)) continue;
      p.re.lastIndex = 0;
      const next = out.replace(p.re, p.replace as (substring: string, ...args: string[]) => string);
      if (next !== out) words = undefined;
      out = next;
    }
    return out;
  }

  function walk(node: Record<string, unknown> | unknown[], inApp: boolean): boolean {
    let changed = false;
    const keys = Array.isArray(node) ? node.keys() : Object.keys(node);
    for (const key of keys) {
      const value = (node as Record<string | number, unknown>)[key];
      let next: unknown = value;
      if (typeof value === 'string') {
        next =
          secretFields && inApp && typeof key === 'string' && SECRET_KEY.test(key) && value !== ''
            ? mask
            : text(value);
      } else if (
        typeof value === 'number' &&
        inApp &&
        cards &&
        value > 1e12 &&
        Number.isSafeInteger(value)
      ) {
        if (isCard(String(value))) next = mask;
      } else if (typeof value === 'object' && value !== null) {
        if (walk(value as Record<string, unknown>, inApp || key === 'app')) changed = true;
        continue;
      }
      if (next !== value) {
        (node as Record<string | number, unknown>)[key] = next;
        changed = true;
      }
    }
    return changed;
  }

  const quoted = patterns.filter((p) => p.quoted);
  function quotedMatch(s: string): boolean {
    let words: boolean | undefined;
    for (const p of quoted) {
      if (p.keyword) {
        words ??= KEYWORDS.test(s);
        if (!words) continue;
      }
      if (!p.hint(s)) continue;
      p.re.lastIndex = 0;
      if (p.re.test(s)) return true;
    }
    return false;
  }

  return {
    text,
    quotedMatch,
    document: (doc) => walk(doc, false),
    namesSecretField: (s) => secretFields && KEYWORDS.test(s) && SECRET_NAME.test(s),
  };
}
