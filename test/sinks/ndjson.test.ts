import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gzipNdjson, gzipNdjsonAsync, ndjsonBuffer } from '#shared/sinks/ndjson.ts';

describe('ndjsonBuffer', () => {
  it('is the rows joined by newlines, UTF-8, each row ended', () => {
    const rows = ['{"m":"plain"}', '{"m":"é ü ✓ 𝄞"}', ''];
    expect(ndjsonBuffer(rows).equals(Buffer.from(`${rows.join('\n')}\n`))).toBe(true);
    expect(ndjsonBuffer([]).length).toBe(0);
  });
});

describe('gzipNdjsonAsync', () => {
  it('compresses on the thread pool to the very bytes gzipNdjson makes', async () => {
    const rows = Array.from({ length: 500 }, (_, i) =>
      JSON.stringify({ n: i, message: `row ${i}` }),
    );
    const body = await gzipNdjsonAsync(rows, 1);
    expect(body.equals(gzipNdjson(rows, 1))).toBe(true);
    expect(gunzipSync(body).toString('utf8')).toBe(`${rows.join('\n')}\n`);
  });

  it('rejects a level zlib refuses', async () => {
    await expect(gzipNdjsonAsync(['{}'], 42)).rejects.toThrow();
  });
});
