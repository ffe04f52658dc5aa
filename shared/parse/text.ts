// The fallback: any line as plain text, with its leading timestamp and a level guessed from a leading keyword.
import type { Level, ParsedLine } from '#shared/model.ts';
import { levelFromName } from './level.ts';
import { parseIsoTime } from './time.ts';
import type { LineParser } from './types.ts';

const LEVEL_WORD =
  /\b(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|SEVERE|CRITICAL|CRIT|FATAL|PANIC)\b/;
const LEVEL_AFTER_TIME = /^\s?\[?([A-Za-z]{3,11})\]?:? /;
// ISO, or Go's `log` package default `2006/01/02 15:04:05`.
const LEADING_ISO =
  /^\[?(\d{4}[-/]\d{2}[-/]\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)\]?[\s|]/;

/**
 * A level from an upper-case keyword near the start of free text; lower-case words (`0 errors`) say
 * nothing about the line.
 *
 * @example
 * guessLevel('ERROR could not connect') // 'error'
 */
export function guessLevel(text: string): Level | undefined {
  // Only the first 200 characters: a level word deep in a payload says nothing about the line.
  const word = LEVEL_WORD.exec(text.length > 200 ? text.slice(0, 200) : text)?.[1];
  return word ? levelFromName(word) : undefined;
}

export const text: LineParser = {
  dataset: 'text',
  parse(line, ctx): ParsedLine {
    const parsed: ParsedLine = { dataset: 'text', message: line };
    const level = guessLevel(line);
    if (level) parsed.level = level;
    const c = line.charCodeAt(0);
    if ((c >= 0x30 && c <= 0x39) || c === 0x5b) {
      const m = LEADING_ISO.exec(line);
      const time = m ? parseIsoTime(m[1]!.replace(/\//g, '-'), ctx?.timeZone) : undefined;
      if (time !== undefined) parsed.time = time;
      // `<time> error: message` (winston's simple format and the like): a level word in any case.
      const word = m && !parsed.level ? LEVEL_AFTER_TIME.exec(line.slice(m[0].length)) : null;
      const after = word ? levelFromName(word[1]!) : undefined;
      if (after) parsed.level = after;
    }
    return parsed;
  },
};
