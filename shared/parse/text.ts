// The fallback: any line as plain text, with a level guessed from a leading keyword.
import type { ParsedLine } from '#shared/model.ts';
import { levelFromName } from './level.ts';
import type { LineParser } from './types.ts';

const LEVEL_WORD = /\b(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|SEVERE|CRITICAL|CRIT|FATAL|PANIC)\b/;

export const text: LineParser = {
  dataset: 'text',
  parse(line): ParsedLine {
    const parsed: ParsedLine = { dataset: 'text', message: line };
    // Only the first 200 characters: a level word deep in a payload says nothing about the line.
    const word = LEVEL_WORD.exec(line.slice(0, 200))?.[1];
    const level = word ? levelFromName(word) : undefined;
    if (level) parsed.level = level;
    return parsed;
  },
};
