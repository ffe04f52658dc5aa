// Turns what a record held past its decode limits into dead-letter rows: masked text chunks with their reason.
import type { Config } from '#shared/config/schema.ts';
import type { Overflow } from '#shared/decode/limits.ts';
import type { EventSource } from '#shared/model.ts';
import type { RejectedRecord } from '#shared/pipeline/deliver.ts';
import { redactRaw } from '#shared/transform/compiled.ts';

/**
 * One dead-letter entry per chunk, each masked as the record's documents are (the dead-letter prefix
 * holds no secret either); the record is acknowledged, never retried for its size.
 *
 * @example
 * rejected.push(...overflowRecords(config, seq, source, { trigger: 'kinesis' }, decoded.overflow));
 */
export function overflowRecords(
  config: Config,
  recordId: string,
  source: EventSource,
  deadLetterSource: Record<string, unknown>,
  overflow: readonly Overflow[],
): RejectedRecord[] {
  return overflow.flatMap((o) =>
    o.chunks.map((chunk, i) => ({
      recordId,
      error: `${o.error} (chunk ${i + 1} of ${o.chunks.length})`,
      reason: `decode_${o.reason}`,
      raw: redactRaw(config, source, chunk),
      source: { ...deadLetterSource, raw_encoding: 'text' },
    })),
  );
}
