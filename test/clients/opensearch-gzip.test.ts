import type { ClientRequest, IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Client, Connection, Transport } from '@opensearch-project/opensearch';
import { describe, expect, it } from 'vitest';
import { BULK_GZIP_LEVEL, withBulkGzip } from '#shared/clients/opensearch-gzip.ts';

interface Sent {
  path: string;
  headers: Record<string, unknown>;
  body: unknown;
}

/** A real client whose connection records each request and answers a successful bulk. */
function recordingClient(compression: 'gzip' | undefined) {
  const sent: Sent[] = [];
  class Recording extends Connection {
    override request(
      params: Parameters<Connection['request']>[0],
      callback: Parameters<Connection['request']>[1],
    ): ReturnType<Connection['request']> {
      const p = params as unknown as Sent;
      sent.push({ path: p.path, headers: { ...p.headers }, body: p.body });
      const answer = '{"took":1,"errors":false,"items":[{"index":{"status":201}}]}';
      const response = Object.assign(Readable.from([answer]), {
        statusCode: 200,
        headers: { 'content-type': 'application/json' },
      });
      process.nextTick(callback, null, response as unknown as IncomingMessage);
      return { abort() {} } as unknown as ClientRequest;
    }
  }
  const client = new Client({
    node: 'http://127.0.0.1:9',
    Connection: Recording,
    Transport: withBulkGzip(Transport),
    compression,
    maxRetries: 0,
  });
  return { client, sent };
}

const action = { index: { _index: 'logs-x', _id: '1' } };
const doc = '{"message":"hello","event":{"id":"1"}}';
const ndjson = `${JSON.stringify(action)}\n${doc}\n`;

describe('withBulkGzip', () => {
  it('gzips a bulk body from the bulk helper at BULK_GZIP_LEVEL, labelled as gzip', async () => {
    // Prepare
    const { client, sent } = recordingClient('gzip');
    // Act
    const stats = await client.helpers.bulk({
      datasource: [0],
      onDocument: () => [action, doc as unknown as Record<string, unknown>],
      retries: 0,
    });
    // Assess
    expect(stats.successful).toBe(1);
    expect(sent).toHaveLength(1);
    const { headers, body } = sent[0]!;
    expect(headers['content-encoding']).toBe('gzip');
    expect(headers['content-type']).toBe('application/x-ndjson');
    expect(Buffer.isBuffer(body)).toBe(true);
    expect(gunzipSync(body as Buffer).toString('utf8')).toBe(ndjson);
    expect((body as Buffer).equals(gzipSync(ndjson, { level: BULK_GZIP_LEVEL }))).toBe(true);
    expect(headers['content-length']).toBe(String((body as Buffer).length));
  });

  it('gzips a direct bulk call (promise style) the same way', async () => {
    const { client, sent } = recordingClient('gzip');
    const { body } = await client.bulk({ body: [action, JSON.parse(doc)] });
    expect(body.errors).toBe(false);
    expect(gunzipSync(sent[0]!.body as Buffer).toString('utf8')).toBe(ndjson);
    expect(sent[0]!.headers['content-encoding']).toBe('gzip');
  });

  it('gzips a prebuilt NDJSON body, as a string or a Buffer, to the same bytes', async () => {
    for (const body of [ndjson, Buffer.from(ndjson)]) {
      const { client, sent } = recordingClient('gzip');
      await client.bulk({ body } as never);
      expect((sent[0]!.body as Buffer).equals(gzipSync(ndjson, { level: BULK_GZIP_LEVEL }))).toBe(
        true,
      );
      expect(sent[0]!.headers['content-encoding']).toBe('gzip');
      expect(sent[0]!.headers['content-type']).toBe('application/x-ndjson');
    }
  });

  it('leaves other requests, and clients without compression, to the transport', async () => {
    const plain = recordingClient(undefined);
    await plain.client.bulk({ body: [action, JSON.parse(doc)] });
    expect(plain.sent[0]!.body).toBe(ndjson);
    expect(plain.sent[0]!.headers['content-encoding']).toBeUndefined();
    const gz = recordingClient('gzip');
    await gz.client.index({ index: 'logs-x', id: '1', body: { message: 'hello' } });
    // A plain JSON body: the transport's own gzip, at zlib's default level.
    expect(gunzipSync(gz.sent[0]!.body as Buffer).toString('utf8')).toBe('{"message":"hello"}');
  });
});
