// Turns text a record held but could not become documents (past its decode limits, or decoded and then refused) into dead-letter rows: masked chunks with their reason.
import type { Config } from '#shared/config/schema.ts';
import { chunkText } from '#shared/decode/limits.ts';
import type { EventSource } from '#shared/model.ts';
import type { RejectedRecord } from '#shared/pipeline/deliver.ts';
import { redactRaw } from '#shared/transform/compiled.ts';

/** Text to dead-letter: chunks of at most OVERFLOW_CHUNK_CHARS (limits.ts) and why. */
export interface TextPart {
  /** A decode reason: `too_many_events`, `line_too_long`, `json`, `shape`, `base64`. */
  reason: string;
  error: string;
  chunks: readonly string[];
}

/**
 * One dead-letter entry per chunk, each masked as the record's documents are (the dead-letter prefix
 * holds no secret either), its reason text too (it may quote the payload); the record is
 * acknowledged, never retried for what it holds.
 *
 * @example
 * rejected.push(...overflowRecords(config, seq, source, { trigger: 'kinesis' }, decoded.overflow));
 */
export function overflowRecords(
  config: Config,
  recordId: string,
  source: EventSource,
  deadLetterSource: Record<string, unknown>,
  parts: readonly TextPart[],
): RejectedRecord[] {
  return parts.flatMap((o) =>
    o.chunks.map((chunk, i) => ({
      recordId,
      error: redactRaw(config, source, `${o.error} (chunk ${i + 1} of ${o.chunks.length})`),
      reason: `decode_${o.reason}`,
      raw: redactRaw(config, source, chunk),
      source: { ...deadLetterSource, raw_encoding: 'text' },
    })),
  );
}

/**
 * A payload refused after it decoded to text (`text` set on its DecodeError), as a text part.
 *
 * @example
 * rejected.push(...overflowRecords(config, id, {}, dlSource, [textPart(err, err.text)]));
 */
export function textPart(err: { reason: string; message: string }, text: string): TextPart {
  return { reason: err.reason, error: err.message, chunks: chunkText(text) };
}
