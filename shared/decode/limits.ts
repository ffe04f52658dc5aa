// Bounds on decoded events: per record (how many, how long a line), the excess dead-lettered in chunks; per Kinesis batch (how many, how much text), the rest delivered again.
import type { Config } from '#shared/config/schema.ts';
import type { InputEvent } from '#shared/model.ts';

/** `decode:` in logferry.yml: what one record (a CloudWatch Logs payload, a Kinesis record) may become. */
export interface DecodeLimits {
  /** Events past this many are dead-lettered: 3 KB of gzip can hold a million one-character lines. */
  maxEvents: number;
  /** Lines longer (UTF-8 bytes) are dead-lettered whole, never parsed; CloudWatch Logs' own cap is 256 KiB. */
  maxLineBytes: number;
  /** JSON nested deeper is kept as text (tag `_json_too_deep`). */
  maxJsonDepth: number;
}

/**
 * Defaults that fit a 1 GB Lambda: a document costs ~1.5 KB of heap while its batch is delivered, so
 * 10,000 events a record (CloudWatch Logs' own PutLogEvents cap) stay ~15 MB each.
 */
export const DEFAULT_DECODE_LIMITS: DecodeLimits = {
  maxEvents: 10_000,
  maxLineBytes: 1024 * 1024,
  maxJsonDepth: 64,
};

/** The limits of logferry.yml's `decode:` section. */
export function decodeLimits(config: Pick<Config, 'decode'>): DecodeLimits {
  return {
    maxEvents: config.decode.max_events_per_record,
    maxLineBytes: config.decode.max_line_bytes,
    maxJsonDepth: config.decode.max_json_depth,
  };
}

/** `decode.max_*_per_batch`: what one invocation takes of a Kinesis batch. */
export interface BatchCaps {
  events: number;
  /** Decoded text, in UTF-16 units (bytes for ASCII), overflow text included. */
  text: number;
}

/**
 * The batch caps of logferry.yml's `decode:` section.
 *
 * @example
 * batchCaps(parseConfig({ version: 1 })) // { events: 200000, text: 67108864 }
 */
export function batchCaps(config: Pick<Config, 'decode'>): BatchCaps {
  return { events: config.decode.max_events_per_batch, text: config.decode.max_bytes_per_batch };
}

/** Most text one dead-letter entry holds, so no entry (and no row) is ever a whole record's worth. */
export const OVERFLOW_CHUNK_CHARS = 1024 * 1024;

/** What a record held past its limits, as text chunks to dead-letter with the reason. */
export interface Overflow {
  reason: 'too_many_events' | 'line_too_long';
  error: string;
  /** Each at most OVERFLOW_CHUNK_CHARS (a line is never split unless it alone is longer). */
  chunks: string[];
}

/**
 * The first `max` non-blank lines of `text` (a `\r\n` or `\n` ends a line) and the text after them,
 * unsplit: a million-line record costs `max` strings, not a million.
 *
 * @example
 * splitLines('a\n\nb\nc\n', 2) // { lines: ['a', 'b'], rest: 'c\n' }
 */
export function splitLines(text: string, max: number): { lines: string[]; rest: string } {
  const lines: string[] = [];
  let start = 0;
  while (start < text.length && lines.length < max) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(
      start,
      end > start && text.charCodeAt(end - 1) === 0x0d ? end - 1 : end,
    );
    if (line.trim() !== '') lines.push(line);
    start = end + 1;
  }
  // Blank lines left at the end are nothing to dead-letter.
  const rest = start < text.length ? text.slice(start) : '';
  return { lines, rest: rest.trim() === '' ? '' : rest };
}

/**
 * `text` cut into chunks of at most `size` characters, at a line end where one falls in the second
 * half of a chunk.
 *
 * @example
 * chunkText('aa\nbb\ncc', 6) // ['aa\nbb\n', 'cc']
 */
export function chunkText(text: string, size: number = OVERFLOW_CHUNK_CHARS): string[] {
  const chunks: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + size, text.length);
    if (end < text.length) {
      const eol = text.lastIndexOf('\n', end - 1);
      if (eol >= start + size / 2) end = eol + 1;
    }
    chunks.push(text.slice(start, end));
    start = end;
  }
  return chunks;
}

function tooLong(line: string, maxBytes: number): boolean {
  return line.length * 3 > maxBytes && Buffer.byteLength(line, 'utf8') > maxBytes;
}

/**
 * Keeps the events a record may yield: lines longer than `maxLineBytes` and events past `maxEvents`
 * come back as overflow chunks instead (`moreText`, text a caller did not split, joins the latter).
 *
 * @example
 * const { kept, overflow } = capEvents(events, DEFAULT_DECODE_LIMITS);
 */
export function capEvents(
  events: InputEvent[],
  limits: DecodeLimits,
  moreText = '',
): { kept: InputEvent[]; overflow: Overflow[] } {
  const overflow: Overflow[] = [];
  let kept = events;
  let excess = moreText;
  if (events.length > limits.maxEvents) {
    kept = events.slice(0, limits.maxEvents);
    const rest = events.slice(limits.maxEvents).map((e) => e.message);
    excess = excess ? `${rest.join('\n')}\n${excess}` : rest.join('\n');
  }
  if (excess) {
    overflow.push({
      reason: 'too_many_events',
      error: `record holds more than ${limits.maxEvents} events (decode.max_events_per_record); the rest is dead-lettered`,
      chunks: chunkText(excess),
    });
  }
  if (kept.some((e) => tooLong(e.message, limits.maxLineBytes))) {
    const long = kept.filter((e) => tooLong(e.message, limits.maxLineBytes));
    kept = kept.filter((e) => !tooLong(e.message, limits.maxLineBytes));
    overflow.push({
      reason: 'line_too_long',
      error: `${long.length} line(s) longer than ${limits.maxLineBytes} bytes (decode.max_line_bytes)`,
      chunks: long.flatMap((e) => chunkText(e.message)),
    });
  }
  return { kept, overflow };
}
