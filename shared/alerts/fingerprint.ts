// Fingerprints: what stays of an error once its numbers, ids, hex and UUIDs are normalised away.
import { createHash } from 'node:crypto';

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const HEX = /\b(?:0x[0-9a-f]+|(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,})\b/gi;
// Runs of word characters; those holding a digit are order ids, hostnames like ip-10-0-2-15, numbers.
const WORD = /[\w-]+/g;
/** Longer messages usually end in a payload; the head is what identifies the error. */
const MAX_NORMALISED = 500;
/** Read no further than this: the regexes stay cheap on a 100 kB line. */
const MAX_INPUT = 2000;

/**
 * The message with its variable parts replaced by placeholders, so two occurrences of one error compare
 * equal: `<uuid>`, `<hex>`, `<n>` (a number) and `<id>` (a token mixing letters and digits).
 *
 * @example
 * normalizeMessage('order ord_8f3a2c failed after 3 tries') // 'order <id> failed after <n> tries'
 */
export function normalizeMessage(message: string): string {
  return message
    .slice(0, MAX_INPUT)
    .replace(UUID, '<uuid>')
    .replace(HEX, '<hex>')
    .replace(WORD, (token) => (!/\d/.test(token) ? token : /^\d+$/.test(token) ? '<n>' : '<id>'))
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_NORMALISED);
}

export interface FingerprintInput {
  /** Log group (or Kinesis stream): the same message from two services is two problems. */
  source: string;
  errorType?: string;
  message: string;
  errorMessage?: string;
}

/**
 * A short stable id for an error: 16 hex characters of a SHA-256 over source, error type and the
 * normalised messages.
 *
 * @example
 * fingerprint({ source: '/ecs/api', message: 'timeout after 30s' }) === fingerprint({ source: '/ecs/api', message: 'timeout after 31s' })
 */
export function fingerprint(input: FingerprintInput): string {
  const parts = [
    input.source,
    input.errorType ?? '',
    normalizeMessage(input.message),
    normalizeMessage(input.errorMessage ?? ''),
  ];
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16);
}
