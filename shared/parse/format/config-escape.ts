// Backslash escapes in a format string as the servers' configuration parsers read them.

/**
 * The text a backslash escape at `format[i]` stands for (`\"` → `"`, `\\` → `\`, `\t` → tab,
 * `\ ` → space in HAProxy's unquoted form) and how many characters it takes.
 *
 * @example
 * configEscape('a\\"b', 1) // { text: '"', length: 2 }
 */
export function configEscape(format: string, i: number): { text: string; length: number } {
  const c = format[i + 1];
  if (c === undefined) return { text: '\\', length: 1 };
  const map: Record<string, string> = { n: '\n', t: '\t', r: '\r' };
  return { text: map[c] ?? c, length: 2 };
}
