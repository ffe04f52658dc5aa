// Terminal escape sequences (colour codes a TTY-attached process writes) taken out of a line before it is parsed.

// CSI sequences: ESC [ parameter bytes, intermediate bytes, one final byte (one pass, nothing nested).
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC is the very character to remove.
const CSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

/**
 * The line without ANSI escape sequences: Spring Boot's coloured console, anything run with a TTY.
 *
 * @example
 * stripAnsi('\u001b[32m INFO\u001b[0;39m started') // ' INFO started'
 */
export function stripAnsi(line: string): string {
  return line.replace(CSI, '');
}
