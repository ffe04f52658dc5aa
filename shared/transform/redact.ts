// Masks secrets and personal data in documents and raw lines: named secrets, tokens, JWTs, private keys, URL passwords, cards, emails.
import { compileLinearRegex } from '#shared/linear-regex.ts';
import { setOwn } from '#shared/parse/merge.ts';
import { isCard, maskCards } from './redact-cards.ts';
import {
  isSecretOption,
  maskMysqlPassword,
  maskNamedValues,
  maskOptionValues,
  SECRET_WORDS,
  saysNothing,
} from './redact-names.ts';
import {
  maskAwsKeyIds,
  maskBearer,
  maskEmails,
  maskJwts,
  maskPrivateKeys,
  maskTokens,
  maskUrlPasswords,
} from './redact-tokens.ts';
import { isSecretName } from './secret-names.ts';

/**
 * Built-in rules (docs/redaction.md lists what each masks). `secret_field` masks values by the name
 * before them in any rendering (JSON, key=value, headers, YAML, dicts, URL query keys); the others by
 * the shape of the secret itself.
 */
export const REDACT_RULES = [
  'email',
  'credit_card',
  'aws_access_key',
  'bearer_token',
  'url_password',
  'secret_field',
  'jwt',
  'private_key',
  'provider_token',
] as const;
export type RedactRule = (typeof REDACT_RULES)[number];

export interface RedactOptions {
  rules: readonly RedactRule[];
  /** Extra patterns from logferry.yml (RE2 syntax, matched in linear time); every match is replaced. */
  patterns?: readonly { name: string; regex: string }[];
  replacement?: string;
}

/** A compiled redactor: `text` masks a string, `document` walks a document. */
export interface Redactor {
  /** What a masked value becomes (`replacement`, default `[REDACTED]`). */
  readonly mask: string;
  /** Whether the `private_key` rule runs: key material split over events is masked too. */
  readonly privateKeys: boolean;
  text(s: string): string;
  /**
   * Masks every string (and card-like number under `app`) in place; true when something changed.
   * A string equal to a `known` text gets its masked form without a second pass: the message and
   * `event.original` are often the very line already masked for the archive. `scope: 'names'` masks
   * only values by their key (a secret name, or the element after a secret option in a list).
   */
  document(
    doc: Record<string, unknown>,
    known?: readonly (readonly [string, string])[],
    scope?: WalkScope,
  ): boolean;
  /**
   * How much of the document of raw line `raw` may hold something to mask that `text(raw)` left
   * (when `text(raw)` masked nothing): see walkScope.
   */
  walkScope(raw: string): WalkScope | undefined;
  /**
   * `text(raw)` and what the walk of its document must look at: `all` when the line itself was
   * masked, else `walkScope(raw)`. One scan for secret names serves both.
   */
  line(raw: string): { text: string; scope: WalkScope | undefined };
}

/**
 * What a document walk must look at. `all`: every string again, for a line whose values a parser may
 * decode into text the line's own scan never saw (an escape other than `\"`, HAProxy's and rsyslog's
 * `#HH`). `names`: only values masked by their key, for a line that says a secret name somewhere but
 * whose every value is text the line's scan already found clean.
 */
export type WalkScope = 'all' | 'names';

type Mask = (s: string, mask: string) => string;

/**
 * Whether every backslash of `raw` escapes a quote (`\"`): JSON carried in a JSON string (FireLens,
 * Docker) decodes to the same text with `"` where the line has `\"`. No built-in rule tells the two
 * apart: `\` and `"` both end every token, value, address and authority the rules read, and neither
 * is part of any (redact-tokens.ts, redact-names.ts read escaped quotes as quotes), so a value decoded
 * from such a line holds a secret only where the line itself does. A custom pattern may read quotes
 * any way it likes: with one, the decoded values are scanned again.
 */
function onlyQuoteEscapes(raw: string, custom: boolean): boolean {
  if (custom) return false;
  for (let i = raw.indexOf('\\'); i >= 0; i = raw.indexOf('\\', i + 2))
    if (raw.charCodeAt(i + 1) !== 0x22) return false;
  return true;
}

/** Strings longer than this are rarely repeated across documents (messages, URLs): not remembered. */
const CLEAN_MAX_LENGTH = 256;
/** At most this many clean strings remembered per redactor (~1 MB at the longest). */
const CLEAN_ENTRIES = 4096;

function maskNamedWith(s: string, mask: string): string {
  return maskMysqlPassword(maskOptionValues(maskNamedValues(s, mask), mask), mask);
}

function maskNamed(s: string, mask: string): string {
  return SECRET_WORDS.test(s) ? maskNamedWith(s, mask) : s;
}

/** In the order they run: block and token shapes first, so a named value masks what is left whole. */
const MASKS: readonly [RedactRule, Mask][] = [
  ['private_key', maskPrivateKeys],
  ['provider_token', maskTokens],
  ['jwt', maskJwts],
  ['aws_access_key', maskAwsKeyIds],
  ['url_password', maskUrlPasswords],
  ['secret_field', maskNamed],
  ['bearer_token', maskBearer],
  ['credit_card', maskCards],
  ['email', maskEmails],
];

/**
 * Compiles redaction options once per configuration. Every built-in rule runs in time linear in the
 * line; custom patterns run on RE2, linear too.
 *
 * @example
 * createRedactor({ rules: ['email'] }).text('mail bob@example.com') // 'mail [REDACTED]'
 */
export function createRedactor(opts: RedactOptions): Redactor {
  const mask = opts.replacement ?? '[REDACTED]';
  // The answer of SECRET_WORDS for the line `line` is scanning, kept for its walk scope.
  let lineOf: string | undefined;
  let lineWords: boolean | undefined;
  const maskNamedLine: Mask = (s, m) => {
    const words = SECRET_WORDS.test(s);
    if (s === lineOf) lineWords = words;
    return words ? maskNamedWith(s, m) : s;
  };
  const masks: Mask[] = MASKS.filter(([rule]) => opts.rules.includes(rule)).map(([rule, m]) =>
    rule === 'secret_field' ? maskNamedLine : m,
  );
  for (const p of opts.patterns ?? []) {
    const re = compileLinearRegex(p.regex);
    masks.push((s) => re.replaceAll(s, mask));
  }
  const byName = opts.rules.includes('secret_field');
  const custom = (opts.patterns?.length ?? 0) > 0;
  const cards = opts.rules.includes('credit_card');

  function text(s: string): string {
    let out = s;
    for (const m of masks) out = m(out, mask);
    return out;
  }

  // Documents repeat most of their strings (log group and stream, account, container, task, method,
  // user agent…): a short string found clean once is not scanned again by this redactor. Only clean
  // strings are kept, so no secret outlives the batch that carried it.
  const clean = new Set<string>();
  function walkText(value: string): string {
    if (value.length > CLEAN_MAX_LENGTH) return text(value);
    if (clean.has(value)) return value;
    const out = text(value);
    if (out === value) {
      if (clean.size >= CLEAN_ENTRIES) clean.clear();
      clean.add(value);
    }
    return out;
  }

  function masked(
    value: unknown,
    key: string | number,
    inApp: boolean,
    known: readonly (readonly [string, string])[],
  ): unknown {
    if (typeof value === 'string') {
      if (value === mask) return value;
      if (byName && typeof key === 'string' && value !== '' && isSecretName(key))
        return saysNothing(value, mask) ? value : mask;
      for (const [from, to] of known) if (value === from) return to;
      return walkText(value);
    }
    if (typeof value === 'number') {
      if (byName && typeof key === 'string' && isSecretName(key)) return mask;
      if (inApp && cards && value > 1e12 && Number.isSafeInteger(value) && isCard(String(value)))
        return mask;
    }
    return value;
  }

  /** The checks of `masked` that need no scan of the value: its key names a secret. */
  function maskedByName(value: unknown, key: string | number): unknown {
    if (typeof key !== 'string' || !isSecretName(key)) return value;
    if (typeof value === 'string')
      return value === '' || value === mask || saysNothing(value, mask) ? value : mask;
    return typeof value === 'number' ? mask : value;
  }

  /** An explicit stack instead of recursion: a document nested thousands deep cannot overflow it. */
  function document(
    doc: Record<string, unknown>,
    known: readonly (readonly [string, string])[] = [],
    scope: WalkScope = 'all',
  ): boolean {
    const all = scope === 'all';
    let changed = false;
    const stack: [Record<string | number, unknown>, boolean][] = [[doc, false]];
    for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
      const [node, inApp] = top;
      const keys: (string | number)[] = Array.isArray(node) ? [...node.keys()] : Object.keys(node);
      // In an argument list (`["--token", "t"]`) the value is the element after its option.
      let afterOption = false;
      for (const key of keys) {
        const value = node[key];
        if (typeof value === 'object' && value !== null) {
          stack.push([value as Record<string | number, unknown>, inApp || key === 'app']);
          afterOption = false;
          continue;
        }
        const next =
          afterOption &&
          typeof value === 'string' &&
          !value.startsWith('-') &&
          !saysNothing(value, mask)
            ? mask
            : all
              ? masked(value, key, inApp, known)
              : byName
                ? maskedByName(value, key)
                : value;
        afterOption = byName && typeof key === 'number' && isSecretOption(value);
        if (next !== value) {
          // `__proto__` is a key like any other in a log line: plain assignment would not set it.
          setOwn(node, key as string, next);
          changed = true;
        }
      }
    }
    return changed;
  }

  return {
    mask,
    privateKeys: opts.rules.includes('private_key'),
    text,
    document,
    walkScope: (raw) => walkScope(raw, undefined),
    line(raw) {
      lineOf = raw;
      lineWords = undefined;
      const out = text(raw);
      // Forgotten at once: the line may hold a secret, and nothing outlives the call.
      const words = lineWords;
      lineOf = undefined;
      lineWords = undefined;
      return { text: out, scope: out !== raw ? 'all' : walkScope(raw, words) };
    },
  };

  /** `words`: whether the line holds SECRET_WORDS, when already known. */
  function walkScope(raw: string, words: boolean | undefined): WalkScope | undefined {
    if (raw.includes('#') || (raw.includes('\\') && !onlyQuoteEscapes(raw, custom))) return 'all';
    return byName && (words ?? SECRET_WORDS.test(raw)) ? 'names' : undefined;
  }
}
