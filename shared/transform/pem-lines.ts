// Masks PEM private keys logged one line per event (container stdout splits a key into a BEGIN line, body lines, an END line), per stream of a batch.

import type { EventSource, InputEvent } from '#shared/model.ts';
import { isBase64Char } from './chars.ts';
import type { Redactor } from './redact.ts';

/** What the step reads of an event and may rewrite: its line to parse and the event as delivered. */
export interface PemCandidate {
  line: string;
  source: EventSource;
  event: InputEvent;
  /** Set when the line was key material and is now the mask: its document is tagged `_redacted`. */
  masked?: boolean;
}

const MARKER = 'PRIVATE KEY-----';
/** Body lines remembered per stream while waiting to learn whether an END line closes them. */
const MAX_PENDING = 512;

/**
 * A key is one container's (or one log stream's) output, across the Kinesis records it came in:
 * FireLens sends each line as its own record, under random partition keys.
 */
function streamOf(source: EventSource): string {
  const w = source.wrapper;
  const container = (w?.container as { id?: unknown } | undefined)?.id;
  const pod = (w?.kubernetes as { pod?: { uid?: unknown; name?: unknown } } | undefined)?.pod;
  const owner = container ?? pod?.uid ?? pod?.name;
  return owner === undefined
    ? `${source.logGroup}\u0000${source.logStream}`
    : `${source.logGroup}\u0000\u0000${String(owner)}`;
}

/** A line of a PEM body: base64 and nothing else, surrounding spaces aside. */
function isBodyLine(line: string): boolean {
  const s = line.trim();
  if (s.length < 4) return false;
  for (let i = 0; i < s.length; i++) if (!isBase64Char(s.charCodeAt(i))) return false;
  return true;
}

/** What stays inside a block without being key material: the headers of a legacy encrypted key. */
function isBlockHeader(line: string): boolean {
  const s = line.trim();
  return s === '' || s.startsWith('Proc-Type:') || s.startsWith('DEK-Info:');
}

/** A BEGIN line whose block goes on in the next events (a whole block on one line is the text rule's). */
function opens(line: string): boolean {
  const begin = line.indexOf('-----BEGIN ');
  if (begin < 0) return false;
  const marker = line.indexOf(MARKER, begin);
  return marker > begin && marker - begin < 80 && line.indexOf('-----END', marker) < 0;
}

function closes(line: string): boolean {
  const end = line.indexOf('-----END ');
  return end >= 0 && line.indexOf(MARKER, end) > end;
}

/**
 * Indices of the lines that are the body of a PEM private key split over events: in each stream,
 * the base64 lines after a BEGIN … PRIVATE KEY line (up to its END line or the first line that is
 * not base64), and the base64 lines right before an END line whose BEGIN came in an earlier batch.
 * State lives per stream of one batch, as multiline merging's does; most batches hold no marker and
 * cost one `includes` a line.
 *
 * @example
 * pemBodyLines([begin, body1, body2, end]) // [1, 2]
 */
export function pemBodyLines(items: readonly Pick<PemCandidate, 'line' | 'source'>[]): number[] {
  if (!items.some((p) => p.line.includes(MARKER))) return [];
  const body: number[] = [];
  const open = new Set<string>();
  const pending = new Map<string, number[]>();
  items.forEach((p, i) => {
    const stream = streamOf(p.source);
    if (open.has(stream)) {
      if (closes(p.line)) {
        open.delete(stream);
        return;
      }
      if (isBodyLine(p.line)) {
        body.push(i);
        return;
      }
      if (isBlockHeader(p.line)) return;
      // Other logging resumed: the block was cut short, and this line is judged on its own.
      open.delete(stream);
    }
    if (closes(p.line)) {
      // The block began before this batch: the body lines just before its END are the key's end.
      for (const j of (pending.get(stream) ?? []).slice(-MAX_PENDING)) body.push(j);
      pending.delete(stream);
      open.delete(stream);
    } else if (opens(p.line)) {
      open.add(stream);
      pending.delete(stream);
    } else if (isBodyLine(p.line)) {
      const waiting = pending.get(stream) ?? [];
      // Only the last MAX_PENDING matter; dropping half at a time keeps each line O(1).
      if (waiting.length >= 2 * MAX_PENDING) waiting.splice(0, MAX_PENDING);
      waiting.push(i);
      pending.set(stream, waiting);
    } else pending.delete(stream);
  });
  return body.sort((a, b) => a - b);
}

/**
 * Replaces the key material found by pemBodyLines with the mask of the redactor of its event (when
 * that one runs the `private_key` rule): the line to parse, and that line inside the event as
 * delivered (a FireLens envelope keeps its other fields).
 *
 * @example
 * maskPemLines(prepared, (p) => redactorOf(p.route));
 */
export function maskPemLines<T extends PemCandidate>(
  items: T[],
  redactorOf: (item: T) => Redactor | undefined,
): void {
  for (const i of pemBodyLines(items)) {
    const item = items[i]!;
    const redact = redactorOf(item);
    if (!redact?.privateKeys) continue;
    const body = item.line.trim();
    const message = item.event.message;
    const at = message.indexOf(body);
    // An envelope that escaped the body (`\/`) does not hold it as is: the whole event is masked.
    const masked =
      at < 0 ? redact.mask : message.slice(0, at) + redact.mask + message.slice(at + body.length);
    item.line = redact.mask;
    item.event = { ...item.event, message: masked };
    item.masked = true;
  }
}
