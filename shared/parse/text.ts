// The fallback: any line as plain text, with its leading timestamp and a level guessed from a leading keyword; klog and logfmt lines read as what they are.
import type { Level, ParsedLine } from '#shared/model.ts';
import { levelFromName } from './level.ts';
import { parseLogfmt } from './logfmt.ts';
import { parseIsoTime } from './time.ts';
import type { LineParser, ParseContext } from './types.ts';
import { withInferredYear } from './wall-time.ts';

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

// Kubernetes components (klog/glog): `I0505 17:59:40.692994   28133 klog.go:70] message`.
const KLOG =
  /^([IWEF])(\d{2})(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{6}) +(\d+) ([^\s:\]]+):(\d+)\] (.*)$/s;
const KLOG_LEVELS: Record<string, Level> = { I: 'info', W: 'warn', E: 'error', F: 'fatal' };

/** A klog line: its level, time (the year from the transport), thread id and source file. */
function klog(line: string, ctx: ParseContext): ParsedLine | undefined {
  const m = KLOG.exec(line);
  if (!m) return undefined;
  const [, lvl, mo, d, h, mi, sec, us, id, file, fileLine, message = ''] = m;
  if (+mo! < 1 || +mo! > 12 || +d! < 1 || +d! > 31 || +h! > 23 || +mi! > 59 || +sec! > 60)
    return undefined;
  const time = withInferredYear(
    +mo! - 1,
    +d!,
    +h!,
    +mi!,
    +sec!,
    Math.floor(+us! / 1000),
    ctx.eventTime,
    ctx.timeZone,
  );
  return {
    dataset: 'text',
    time,
    level: KLOG_LEVELS[lvl!],
    message: message.trimEnd(),
    fields: {
      process: { thread: { id: Number(id) } },
      log: { origin: { file: { name: file, line: Number(fileLine) } } },
    },
  };
}

export const text: LineParser = {
  dataset: 'text',
  parse(line, ctx): ParsedLine {
    const c0 = line.charCodeAt(1);
    if (c0 >= 0x30 && c0 <= 0x39 && 'IWEF'.includes(line[0]!)) {
      const k = klog(line, ctx);
      if (k) return k;
    }
    if (
      line.includes('=') &&
      (line.includes('level=') ||
        line.includes('msg=') ||
        line.includes('lvl=') ||
        line.startsWith('at='))
    ) {
      const l = parseLogfmt(line, ctx);
      if (l) return l;
    }
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
