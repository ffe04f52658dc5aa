// User-supplied regular expressions (drop rules, alert rules, redaction patterns) compiled with RE2's linear-time engine.
import { RE2JS } from 're2js';

/**
 * A compiled user pattern. RE2 matches in time linear in the input whatever the pattern, where the
 * JavaScript engine backtracks: `(a+)+b` on thirty `a`s takes seconds there, and one log line would
 * stall a shard. The price is RE2 syntax (no lookaround, no backreferences) and ~0.1-2 µs a test on
 * a short string instead of ~0.05 µs.
 */
export interface LinearRegex {
  readonly source: string;
  /** Whether the pattern matches anywhere in `s`. */
  test(s: string): boolean;
  /** `s` with every match replaced by `replacement` (taken literally, no `$1`). */
  replaceAll(s: string, replacement: string): string;
}

/**
 * Compiles `source` with RE2; throws an Error naming what RE2 does not support (lookbehind,
 * backreferences, …), which the configuration schema reports with the file and path.
 *
 * @example
 * compileLinearRegex('^/(health|healthz|ping)$').test('/healthz') // true
 */
export function compileLinearRegex(source: string): LinearRegex {
  const re = RE2JS.compile(source);
  return {
    source,
    test: (s) => re.test(s),
    replaceAll(s, replacement) {
      if (!re.test(s)) return s;
      return re.matcher(s).replaceAll(RE2JS.quoteReplacement(replacement));
    },
  };
}

/** Why `source` cannot be compiled, or undefined when it can. */
export function linearRegexError(source: string): string | undefined {
  try {
    RE2JS.compile(source);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
