// The S3 object reader: lines and CloudTrail records from plain and gzip bodies in any chunking, resumes, and corrupt objects.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type ObjectItem, type ReadObjectOptions, readObject } from '#shared/decode/s3-object.ts';
import { DecodeError } from '#shared/errors.ts';

/** The bytes as a body arriving `size` bytes at a time. */
async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function readAll(body: AsyncIterable<Uint8Array>, opts: Partial<ReadObjectOptions> = {}) {
  const items: ObjectItem[] = [];
  for await (const batch of readObject(body, { maxLineBytes: 1024, ...opts })) items.push(...batch);
  return items;
}

const text = 'first line\r\nsecond\n\nfourth é\nlast without newline';

describe('readObject: lines', () => {
  it.each([1, 3, 64, 1 << 16])(
    'splits a plain body read %i bytes at a time, counting blank lines',
    async (size) => {
      const items = await readAll(chunked(Buffer.from(text), size));
      expect(items.map((i) => [i.line, i.text])).toEqual([
        [1, 'first line'],
        [2, 'second'],
        [4, 'fourth é'],
        [5, 'last without newline'],
      ]);
      expect(items.at(-1)!.end).toBe(Buffer.byteLength(text));
      expect(items[0]!.end).toBe(12);
    },
  );

  it.each([1, 5, 4096])(
    'gunzips on the fly, %i compressed bytes at a time, several gzip members too',
    async (size) => {
      let gzip: boolean | undefined;
      const body = Buffer.concat([gzipSync('a\nb\n'), gzipSync('c\nd')]);
      const items = await readAll(chunked(body, size), {
        onStart: (i) => {
          gzip = i.gzip;
        },
      });
      expect(items.map((i) => i.text)).toEqual(['a', 'b', 'c', 'd']);
      expect(gzip).toBe(true);
    },
  );

  it('reports a line over the limit by its size and keeps the lines around it', async () => {
    const body = Buffer.from(`ok\n${'x'.repeat(5000)}\nafter\n`);
    const items = await readAll(chunked(body, 100), { maxLineBytes: 1000 });
    expect(items).toEqual([
      { line: 1, text: 'ok', end: 3 },
      { line: 2, end: 5004, bytes: 5000 },
      { line: 3, text: 'after', end: 5010 },
    ]);
  });

  it('resumes after a line: by skipping a gzip stream, or from a ranged read of a plain one', async () => {
    const lines = Array.from({ length: 10 }, (_, i) => `line ${i + 1}`);
    const plain = Buffer.from(`${lines.join('\n')}\n`);
    const all = await readAll(chunked(plain, 7));
    const cut = all[3]!;
    const fromGzip = await readAll(chunked(gzipSync(plain), 9), { afterLine: cut.line });
    expect(fromGzip.map((i) => i.line)).toEqual([5, 6, 7, 8, 9, 10]);
    const ranged = await readAll(chunked(plain.subarray(cut.end), 7), {
      afterLine: cut.line,
      bodyOffset: cut.end,
    });
    expect(ranged).toEqual(all.slice(4));
  });

  it('yields what came before the damage of a truncated gzip object, then fails it as gzip', async () => {
    const big = Buffer.from(Array.from({ length: 20_000 }, (_, i) => `line ${i}`).join('\n'));
    const gz = gzipSync(big);
    const seen: ObjectItem[] = [];
    const read = async () => {
      for await (const batch of readObject(chunked(gz.subarray(0, gz.length - 40), 512), {
        maxLineBytes: 1024,
      }))
        seen.push(...batch);
    };
    await expect(read()).rejects.toMatchObject({ name: 'DecodeError', reason: 'gzip' });
    expect(seen.length).toBeGreaterThan(1000);
    expect(seen.length).toBeLessThan(20_000);
  });

  it('refuses Parquet and binary objects before yielding anything, and reads an empty object as nothing', async () => {
    await expect(readAll(chunked(Buffer.from('PAR1\x00\x00rest'), 2))).rejects.toMatchObject({
      reason: 'binary',
    });
    await expect(readAll(chunked(Buffer.from('ab\x00cd\nef'), 64))).rejects.toMatchObject({
      reason: 'binary',
    });
    expect(await readAll(chunked(Buffer.alloc(0), 1))).toEqual([]);
  });

  it('passes a failing download through as it is, not as corrupt data', async () => {
    async function* failing() {
      yield gzipSync('a\nb\n').subarray(0, 10);
      throw new Error('socket hang up');
    }
    const err = await readAll(failing()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(DecodeError);
    expect((err as Error).message).toBe('socket hang up');
  });
});

describe('readObject: CloudTrail records', () => {
  const records = [
    { eventName: 'A', requestParameters: { tricky: 'braces } { and "quotes" \\ and ] [' } },
    { eventName: 'B', list: [1, [2, { x: 3 }]] },
    { eventName: 'C' },
  ];
  const file = JSON.stringify({ Records: records });

  it.each([1, 2, 13, 1 << 16])(
    'yields each record of Records as its raw JSON, %i bytes at a time',
    async (size) => {
      const items = await readAll(chunked(gzipSync(file), size), { records: true });
      expect(items.map((i) => [i.line, JSON.parse(i.text!)])).toEqual(
        records.map((r, i) => [i + 1, r]),
      );
    },
  );

  it('reads a pretty-printed file with other top-level keys before and after Records', async () => {
    const pretty = JSON.stringify(
      { Other: { Records: [{ not: 'these' }] }, Records: records, After: [1] },
      null,
      2,
    );
    const items = await readAll(chunked(Buffer.from(pretty), 5), { records: true });
    expect(items.map((i) => JSON.parse(i.text!).eventName)).toEqual(['A', 'B', 'C']);
  });

  it('reports an oversized record by size, skips delivered records on resume', async () => {
    const big = JSON.stringify({ Records: [{ a: 1 }, { b: 'x'.repeat(3000) }, { c: 3 }] });
    const items = await readAll(chunked(Buffer.from(big), 100), {
      records: true,
      maxLineBytes: 1000,
    });
    expect(items.map((i) => [i.line, i.text ?? `${i.bytes} bytes`])).toEqual([
      [1, '{"a":1}'],
      [2, '3008 bytes'],
      [3, '{"c":3}'],
    ]);
    const resumed = await readAll(chunked(Buffer.from(big), 100), { records: true, afterLine: 2 });
    expect(resumed.map((i) => i.text)).toEqual(['{"c":3}']);
  });

  it('fails a truncated file, a file with no Records, and text that is no JSON object', async () => {
    await expect(
      readAll(chunked(Buffer.from(file.slice(0, -10)), 64), { records: true }),
    ).rejects.toMatchObject({
      reason: 'json',
    });
    await expect(
      readAll(chunked(Buffer.from('{"x":[1]}'), 64), { records: true }),
    ).rejects.toMatchObject({
      reason: 'shape',
    });
    await expect(
      readAll(chunked(Buffer.from('not json'), 64), { records: true }),
    ).rejects.toMatchObject({
      reason: 'json',
    });
    await expect(
      readAll(chunked(Buffer.from('{"Records":[]}} x'), 64), { records: true }),
    ).rejects.toBeInstanceOf(DecodeError);
  });
});

describe('readObject: records auto', () => {
  it('reads a CloudTrail file as records and anything else as lines, and says which', async () => {
    const seen: boolean[] = [];
    const onStart = (i: { records: boolean }) => {
      seen.push(i.records);
    };
    const ct = await readAll(chunked(gzipSync(' {"Records":[{"a":1},{"b":2}]}'), 3), {
      records: 'auto',
      onStart,
    });
    const text = await readAll(chunked(Buffer.from('{"a":1}\n{"b":2}\n'), 3), {
      records: 'auto',
      onStart,
    });
    expect(ct.map((i) => i.text)).toEqual(['{"a":1}', '{"b":2}']);
    expect(text.map((i) => i.text)).toEqual(['{"a":1}', '{"b":2}']);
    expect(seen).toEqual([true, false]);
  });
});
