import { Client } from '@opensearch-project/opensearch';
import { describe, expect, it } from 'vitest';
import type { Routed } from '#shared/model.ts';
import { type AttemptInfo, createOpenSearchSink } from '#shared/sinks/opensearch/sink.ts';

/**
 * A real client whose transport answers each bulk request with what `answer` says: the sink's own code and
 * the client's bulk API run for real, only the HTTP round trip is replaced.
 */
function fakeClient(
  answer: (lines: { id: string; body: Record<string, unknown> }[], bytes: number) => unknown,
) {
  const requests: { ids: string[]; bytes: number }[] = [];
  const sentBodies: Record<string, unknown>[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const client = new Client({ node: 'http://127.0.0.1:1' });
  const respond = async (params: { bulkBody?: string | string[] | Buffer }) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, 2));
    inFlight--;
    const { bulkBody = [] } = params;
    const body =
      typeof bulkBody === 'string' || Buffer.isBuffer(bulkBody)
        ? bulkBody.toString()
        : `${bulkBody.join('\n')}\n`;
    const rows = body.trimEnd().split('\n');
    const docs = [];
    for (let i = 0; i < rows.length; i += 2) {
      const action = JSON.parse(rows[i]!) as { index: { _id: string } };
      docs.push({
        id: action.index._id,
        body: JSON.parse(rows[i + 1]!) as Record<string, unknown>,
      });
    }
    requests.push({ ids: docs.map((d) => d.id), bytes: Buffer.byteLength(body) });
    for (const d of docs) sentBodies.push(d.body);
    const out = answer(docs, Buffer.byteLength(body));
    if (out instanceof Error) throw out;
    return {
      body: {
        errors: (out as { index: { status: number } }[]).some((o) => o.index.status >= 300),
        items: out,
      },
    };
  };
  // The bulk helper calls the transport with a callback; direct calls use the promise.
  (client.transport as unknown as { request: unknown }).request = (
    params: { bulkBody?: string | string[] | Buffer },
    _options: unknown,
    callback?: (err: unknown, result: unknown) => void,
  ) => {
    const p = respond(params);
    if (!callback) return p;
    p.then(
      (r) => callback(null, r),
      (e) => callback(e, { body: undefined }),
    );
    return { abort() {} };
  };
  return { client, requests, maxInFlight: () => maxInFlight, bodies: () => sentBodies };
}

const ok = { index: { status: 201 } };
const statusError = (statusCode: number) =>
  Object.assign(new Error(`HTTP ${statusCode}`), { meta: { statusCode } });

function items(n: number, size = 100): Routed[] {
  return Array.from({ length: n }, (_, i) => ({
    doc: {
      '@timestamp': '2025-11-20T10:00:00.000Z',
      message: `line ${i} ${'x'.repeat(size)}`,
      event: { id: `id-${i}`, dataset: 'text' },
      log: { type: 'application' },
      ...(i === 1 ? { http: { response: { status_code: 'n/a' } } } : {}),
    },
    index: 'logs-application-2025.11.20',
    raw: `raw ${i}`,
    recordId: `r${i}`,
    group: 'g',
  }));
}

const backoff = { baseMs: 1, maxMs: 5 };

describe('createOpenSearchSink', () => {
  it('splits a bulk refused with 413 until it fits, and refuses a single document that never fits', async () => {
    // Prepare: bodies over 2,000 bytes are refused; document 5 alone is larger than that.
    const list = items(20);
    list[5]!.doc.message = 'y'.repeat(3000);
    const fake = fakeClient((docs, bytes) =>
      bytes > 2000 ? statusError(413) : docs.map(() => ok),
    );
    const attempts: AttemptInfo[] = [];
    const sink = createOpenSearchSink({
      client: fake.client,
      bulkBytes: 64 * 1024,
      concurrency: 1,
      maxFieldBytes: 32766,
      backoff,
      onAttempt: (a) => attempts.push(a),
    });
    // Act
    const results = await sink.index(list, Date.now() + 5000);
    // Assess
    expect(results.filter((r) => r.status === 'indexed')).toHaveLength(19);
    expect(results[5]).toMatchObject({ status: 'rejected', statusCode: 413 });
    expect(attempts[0]!.tooLarge).toBeGreaterThan(0);
    const accepted = fake.requests.filter((r) => r.bytes <= 2000).flatMap((r) => r.ids);
    expect(accepted.sort()).toEqual(
      list
        .map((i) => i.doc.event.id)
        .filter((id) => id !== 'id-5')
        .sort(),
    );
    expect(attempts.at(-1)!.bulkBytes).toBeLessThanOrEqual(2000);
  });

  it('on 429 retries only the refused items, with fewer bulks in flight', async () => {
    let calls = 0;
    const fake = fakeClient((docs) => {
      calls++;
      // The first four requests: every other item refused.
      return docs.map((_, i) =>
        calls <= 4 && i % 2 === 0
          ? { index: { status: 429, error: { type: 'rejected_execution_exception' } } }
          : ok,
      );
    });
    const attempts: AttemptInfo[] = [];
    const sink = createOpenSearchSink({
      client: fake.client,
      bulkBytes: 1500,
      concurrency: 4,
      maxFieldBytes: 32766,
      backoff,
      onAttempt: (a) => attempts.push(a),
    });
    const results = await sink.index(items(40), Date.now() + 5000);
    expect(results.every((r) => r.status === 'indexed')).toBe(true);
    expect(attempts[0]!.throttled).toBeGreaterThan(0);
    expect(attempts[0]!.concurrency).toBeLessThan(4);
    // Only the refused items were sent again.
    const resent = fake.requests.slice(4).flatMap((r) => r.ids);
    expect(new Set(resent).size).toBe(resent.length);
    expect(resent.length).toBeLessThan(40);
  });

  it('indexes a document refused for its mapping again, degraded, and says so', async () => {
    const fake = fakeClient((docs) =>
      docs.map((d) =>
        (d.body.http as { response?: { status_code?: unknown } } | undefined)?.response
          ?.status_code === 'n/a'
          ? {
              index: {
                status: 400,
                error: {
                  type: 'mapper_parsing_exception',
                  reason: 'failed to parse field [http.response.status_code] of type [long]',
                },
              },
            }
          : ok,
      ),
    );
    const sink = createOpenSearchSink({
      client: fake.client,
      bulkBytes: 64 * 1024,
      concurrency: 1,
      maxFieldBytes: 32766,
      backoff,
    });
    const results = await sink.index(items(3), Date.now() + 5000);
    expect(results[1]).toMatchObject({ status: 'degraded', statusCode: 400 });
    const last = fake.requests.at(-1)!;
    expect(last.ids).toEqual(['id-1']);
    // With degrading off (redrive), the same document is simply refused.
    const strict = createOpenSearchSink({
      client: fake.client,
      bulkBytes: 64 * 1024,
      concurrency: 1,
      maxFieldBytes: 32766,
      backoff,
      degradeOnMappingError: false,
    });
    expect((await strict.index(items(3), Date.now() + 5000))[1]).toMatchObject({
      status: 'rejected',
    });
  });

  it('stops at the deadline and leaves what is not indexed as retry', async () => {
    const fake = fakeClient(() => statusError(503));
    const sink = createOpenSearchSink({
      client: fake.client,
      bulkBytes: 64 * 1024,
      concurrency: 2,
      maxFieldBytes: 32766,
      backoff: { baseMs: 50, maxMs: 100 },
    });
    const t0 = Date.now();
    const results = await sink.index(items(10), Date.now() + 400);
    expect(Date.now() - t0).toBeLessThan(600);
    expect(results.every((r) => r.status === 'retry')).toBe(true);
    expect(results[0]).toMatchObject({ error: expect.stringMatching(/HTTP 503/) });
  });
  it('leaves event.original out of the index copy when asked, and keeps it in a degraded copy', async () => {
    // Prepare: three documents with a raw line; the second is refused for its mapping once.
    const list = items(3);
    for (const item of list) item.doc.event.original = `{"raw":"${item.doc.event.id}"}`;
    let refused = false;
    const fake = fakeClient((docs) =>
      docs.map((d) => {
        if (d.id !== 'id-1' || refused) return ok;
        refused = true;
        return {
          index: {
            status: 400,
            error: {
              type: 'mapper_parsing_exception',
              reason: 'failed to parse field [http.response.status_code] of type [long]',
            },
          },
        };
      }),
    );
    const sink = createOpenSearchSink({
      client: fake.client,
      bulkBytes: 1 << 20,
      concurrency: 1,
      maxFieldBytes: 32766,
      backoff,
      omitOriginal: true,
    });
    // Act
    const results = await sink.index(list, Date.now() + 5000);
    // Assess: sent without the raw line, everything else as the document has it.
    expect(results.map((r) => r.status)).toEqual(['indexed', 'degraded', 'indexed']);
    const [first, second, third, degraded] = fake.bodies();
    for (const [sent, item] of [
      [first, list[0]],
      [second, list[1]],
      [third, list[2]],
    ] as const) {
      const { original, ...event } = item!.doc.event;
      expect(original).toBeDefined();
      expect(sent).toEqual({ ...item!.doc, event });
    }
    // The degraded copy carries the original, since it moved fields out of their place.
    expect((degraded!.event as { original?: string }).original).toBe('{"raw":"id-1"}');
  });

  it('retries an item the answer says nothing about, and only that one', async () => {
    // Prepare: the first answer lacks its last item (a truncated or odd response).
    let calls = 0;
    const fake = fakeClient((docs) => {
      calls++;
      return calls === 1 ? docs.slice(0, -1).map(() => ok) : docs.map(() => ok);
    });
    const sink = createOpenSearchSink({
      client: fake.client,
      bulkBytes: 1 << 20,
      concurrency: 1,
      maxFieldBytes: 32766,
      backoff,
    });
    // Act
    const results = await sink.index(items(4), Date.now() + 5000);
    // Assess
    expect(results.every((r) => r.status === 'indexed')).toBe(true);
    expect(fake.requests.map((r) => r.ids)).toEqual([['id-0', 'id-1', 'id-2', 'id-3'], ['id-3']]);
  });

  it('sends long strings cut (tag _truncated) and a long document of short strings whole', async () => {
    // Prepare: document 0 holds a 40,000-byte message; document 1 a JSON text longer than a third
    // of the limit, every string in it short.
    const list = items(3);
    list[0]!.doc.message = 'z'.repeat(40_000);
    list[1]!.doc.app = Object.fromEntries(
      Array.from({ length: 2000 }, (_, k) => [`k${k}`, `v${k}`]),
    );
    const fake = fakeClient((docs) => docs.map(() => ok));
    const sink = createOpenSearchSink({
      client: fake.client,
      bulkBytes: 1 << 20,
      concurrency: 1,
      maxFieldBytes: 32766,
      backoff,
    });
    // Act
    const results = await sink.index(list, Date.now() + 5000);
    // Assess
    expect(results.every((r) => r.status === 'indexed')).toBe(true);
    const sent = fake.bodies();
    expect(sent[0]!.message).toBe('z'.repeat(32766));
    expect(sent[0]!.tags).toEqual(['_truncated']);
    expect(sent[1]).toEqual(list[1]!.doc);
    expect(sent[2]).toEqual(list[2]!.doc);
    // The archive keeps the original.
    expect(list[0]!.doc.message).toHaveLength(40_000);
  });
});
