// Reads an S3 object's body as it streams in: gzip decoded on the fly, lines or CloudTrail records yielded in batches, never the whole object in memory.
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DecodeError } from '#shared/errors.ts';
import { cloudTrailRecords } from './cloudtrail-records.ts';

/** One line of an object (one record of a CloudTrail file). */
export interface ObjectItem {
  /** 1-based line number in the decompressed text; for CloudTrail, the record's number in `Records`. */
  line: number;
  /** The line without its end of line; absent when it was longer than `maxLineBytes` (dropped). */
  text?: string;
  /** Decompressed bytes up to the end of this item: where a read resumed after it starts. */
  end: number;
  /** Size of an oversized item, whose text was dropped. */
  bytes?: number;
}

export interface ReadObjectOptions {
  /** Longest line (or CloudTrail record) kept; a longer one is reported by size, its bytes dropped as they stream. */
  maxLineBytes: number;
  /**
   * CloudTrail: the object is one JSON object whose `Records` array holds the items; `auto` tells by
   * the object's first bytes (`{"Records":`).
   */
  records?: boolean | 'auto';
  /** Resume: items up to and including this line (record) number were delivered before and are passed over. */
  afterLine?: number;
  /**
   * The body is a ranged read starting at this decompressed offset, after `afterLine` lines (plain
   * text objects only: a gzip stream can only be read from its start).
   */
  bodyOffset?: number;
  /**
   * Told once the first bytes are in: whether the object is gzip (a ranged resume needs it not to
   * be) and whether it is read as CloudTrail records.
   */
  onStart?: (info: { gzip: boolean; records: boolean }) => void;
}

const GZIP = [0x1f, 0x8b];
const PARQUET = Buffer.from('PAR1');

/** The body's bytes, gunzipped when they start with gzip's magic bytes; rejects binary formats early. */
async function* decoded(
  body: AsyncIterable<Uint8Array>,
  info: { gzip: boolean },
): AsyncGenerator<Buffer> {
  const it = body[Symbol.asyncIterator]();
  let src: Readable | undefined;
  try {
    let head = Buffer.alloc(0);
    // A first chunk of one byte cannot show the magic bytes: gather a few.
    while (head.length < 4) {
      const next = await it.next();
      if (next.done) break;
      head = head.length ? Buffer.concat([head, next.value]) : Buffer.from(next.value);
    }
    if (head.length === 0) return;
    if (head.subarray(0, 4).equals(PARQUET))
      throw new DecodeError('Parquet objects are not read: deliver the logs as text', 'binary');
    const gzip = head[0] === GZIP[0] && head[1] === GZIP[1];
    info.gzip = gzip;
    const rest = async function* () {
      yield head;
      for (;;) {
        const next = await it.next();
        if (next.done) return;
        yield next.value;
      }
    };
    if (!gzip) {
      yield* checked(rest());
      return;
    }
    const gunzip = createGunzip();
    src = Readable.from(rest());
    // A failing download must fail the read as what it is (transient), not as corrupt gzip.
    let sourceError: unknown;
    src.on('error', (err) => {
      sourceError = err;
      gunzip.destroy(err);
    });
    src.pipe(gunzip);
    try {
      yield* checked(gunzip);
    } catch (err) {
      if (
        sourceError !== undefined ||
        !String((err as NodeJS.ErrnoException).code).startsWith('Z_')
      )
        throw sourceError ?? err;
      throw new DecodeError(`invalid gzip data: ${(err as Error).message}`, 'gzip', { cause: err });
    }
  } finally {
    // A read stopped early (time is up, corrupt data) must not leave the download open.
    src?.destroy();
    await it.return?.();
  }
}

/** Text has no NUL bytes: the first ones decide, before anything is parsed. */
async function* checked(chunks: AsyncIterable<Buffer | Uint8Array>): AsyncGenerator<Buffer> {
  let first = true;
  for await (const c of chunks) {
    const chunk = Buffer.isBuffer(c) ? c : Buffer.from(c);
    if (first && chunk.subarray(0, 4096).includes(0))
      throw new DecodeError('object holds binary data (NUL bytes), not log text', 'binary');
    first = false;
    yield chunk;
  }
}

function lineText(parts: Buffer[], tail: Buffer): string {
  const buf = parts.length ? Buffer.concat([...parts, tail]) : tail;
  const end = buf.length > 0 && buf[buf.length - 1] === 0x0d ? buf.length - 1 : buf.length;
  return buf.toString('utf8', 0, end);
}

/** Splits decompressed chunks into lines; a line may span chunks, and only it is held across them. */
async function* lines(
  chunks: AsyncIterable<Buffer>,
  opts: ReadObjectOptions,
): AsyncGenerator<ObjectItem[]> {
  const skipTo = opts.afterLine ?? 0;
  let line = opts.bodyOffset ? skipTo : 0;
  let pos = opts.bodyOffset ?? 0;
  let parts: Buffer[] = [];
  let held = 0;
  let oversized = false;
  const emit = (batch: ObjectItem[], tail: Buffer, end: number) => {
    line++;
    const bytes = held + tail.length;
    if (line > skipTo && bytes > 0) {
      if (oversized || bytes > opts.maxLineBytes) batch.push({ line, end, bytes });
      else {
        const text = lineText(parts, tail);
        if (text !== '') batch.push({ line, text, end });
      }
    }
    parts = [];
    held = 0;
    oversized = false;
  };
  for await (const chunk of chunks) {
    const batch: ObjectItem[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(0x0a, start); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
      emit(batch, chunk.subarray(start, nl), pos + nl + 1);
      start = nl + 1;
    }
    if (start < chunk.length) {
      const tail = chunk.subarray(start);
      held += tail.length;
      // Past the limit the line's bytes are counted, not kept: memory stays at one chunk.
      if (held > opts.maxLineBytes) {
        oversized = true;
        parts = [];
      } else if (!oversized) parts.push(Buffer.from(tail));
    }
    pos += chunk.length;
    if (batch.length) yield batch;
  }
  // A last line without its end of line.
  const last: ObjectItem[] = [];
  if (held > 0) emit(last, Buffer.alloc(0), pos);
  if (last.length) yield last;
}

/**
 * Streams an object's items in batches as its bytes arrive (one batch per decoded chunk): gunzips
 * when the body starts with gzip's magic bytes, splits lines (`\n` or `\r\n`), or with `records`
 * expands a CloudTrail file's `Records` array. Memory holds one chunk and the line being read; a line
 * over `maxLineBytes` is reported by size only. Throws `DecodeError` (`gzip`, `binary`, `json`,
 * `shape`) for a corrupt object, after yielding what came before the damage; other errors (the
 * download failing) pass through as they are.
 *
 * @example
 * for await (const batch of readObject(response.Body, { maxLineBytes: 1 << 20 }))
 *   for (const item of batch) console.log(item.line, item.text);
 */
export async function* readObject(
  body: AsyncIterable<Uint8Array>,
  opts: ReadObjectOptions,
): AsyncGenerator<ObjectItem[]> {
  const info = { gzip: false };
  const chunks = decoded(body, info);
  // Enough of the text to see how it starts: gunzip may hand out a few bytes at first.
  let head: Buffer = Buffer.alloc(0);
  let done = false;
  while (head.length < 64 && !done) {
    const next = await chunks.next();
    if (next.done) done = true;
    else head = head.length ? Buffer.concat([head, next.value]) : next.value;
  }
  if (head.length === 0) return;
  const records =
    opts.records === 'auto'
      ? /^\s*\{\s*"Records"\s*:/.test(head.toString('latin1', 0, 64))
      : opts.records === true;
  opts.onStart?.({ gzip: info.gzip, records });
  const all = (async function* () {
    yield head;
    if (!done) yield* chunks;
  })();
  yield* records ? cloudTrailRecords(all, opts) : lines(all, opts);
}
