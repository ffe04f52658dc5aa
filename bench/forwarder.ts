// The baseline logferry replaces: what the AWS console's LogsToElasticsearch blueprint does, bundled and run like a handler.
//
// Decode the subscription payload, one document per log event with the raw message (no parsing), the
// event id as `_id`, `@timestamp` from the CloudWatch timestamp, one bulk request per invocation over
// plain `http`, every item checked. Nothing else: no archive, no retries, no compression, no logging.
import http from 'node:http';
import https from 'node:https';
import { gunzip } from 'node:zlib';

interface LogEvent {
  id: string;
  timestamp: number;
  message: string;
}

interface Payload {
  messageType: string;
  owner: string;
  logGroup: string;
  logStream: string;
  logEvents: LogEvent[];
}

const two = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * The bulk body the blueprint sends for a payload: `<prefix>-YYYY.MM.DD` by event time, its `@`-named
 * fields, one action and one document line per event; null for a control message.
 *
 * @example
 * forwarderBulkBody(payload, 'cwl') // '{"index":{"_index":"cwl-2025.11.20","_id":"3672…"}}\n{"@id":…}\n…'
 */
export function forwarderBulkBody(payload: Payload, prefix: string): string | null {
  if (payload.messageType === 'CONTROL_MESSAGE') return null;
  let body = '';
  for (const e of payload.logEvents) {
    const time = new Date(e.timestamp);
    const index = `${prefix}-${time.getUTCFullYear()}.${two(time.getUTCMonth() + 1)}.${two(time.getUTCDate())}`;
    const source = {
      '@id': e.id,
      '@timestamp': time.toISOString(),
      '@message': e.message,
      '@owner': payload.owner,
      '@log_group': payload.logGroup,
      '@log_stream': payload.logStream,
    };
    body += `${JSON.stringify({ index: { _index: index, _id: e.id } })}\n${JSON.stringify(source)}\n`;
  }
  return body;
}

const gunzipAsync = (buf: Buffer) =>
  new Promise<Buffer>((resolve, reject) =>
    gunzip(buf, (err, out) => (err ? reject(err) : resolve(out))),
  );

function post(url: URL, body: string): Promise<{ status: number; text: string }> {
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** As the blueprint reads its endpoint: from the environment, once per instance. */
const endpoint = new URL('/_bulk', process.env.OPENSEARCH_URL ?? 'http://127.0.0.1:9200');
const prefix = process.env.FORWARDER_INDEX_PREFIX ?? 'cwl';

/**
 * The Lambda entry point: throws (so Lambda retries the whole event) when the bulk request or any of
 * its items failed, as the blueprint fails the invocation.
 *
 * @example
 * await handler({ awslogs: { data } }) // { events: 1000, indexed: 1000 }
 */
export async function handler(event: {
  awslogs: { data: string };
}): Promise<{ events: number; indexed: number }> {
  const payload = JSON.parse(
    (await gunzipAsync(Buffer.from(event.awslogs.data, 'base64'))).toString('utf8'),
  ) as Payload;
  const body = forwarderBulkBody(payload, prefix);
  if (body === null) return { events: 0, indexed: 0 };
  const { status, text } = await post(endpoint, body);
  const answer = JSON.parse(text) as {
    errors?: boolean;
    items?: { index: { status: number } }[];
  };
  const failed = (answer.items ?? []).filter((i) => i.index.status >= 300).length;
  if (status !== 200 || answer.errors || failed > 0)
    throw new Error(`bulk answered ${status} with ${failed} failed items`);
  return { events: payload.logEvents.length, indexed: answer.items?.length ?? 0 };
}
