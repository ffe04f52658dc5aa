// The raw-bulk ceiling: the very bulk bodies a side sends, prebuilt, POSTed with plain `http` and nothing else to do.
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import type { CloudWatchLogsEvent } from 'aws-lambda';
import { BULK_GZIP_LEVEL } from '#shared/clients/opensearch-gzip.ts';
import type { Config } from '#shared/config/schema.ts';
import { ingestCloudWatchLogs } from '#shared/sources/cloudwatch-logs.ts';
import { createNullSinks } from './null-sinks.ts';

/** Bulk bodies of one event, as they go on the wire (gzipped or not), with their documents. */
export interface Prebuilt {
  bodies: { wire: Buffer; gzip: boolean; bytes: number; docs: number }[];
  docs: number;
}

/**
 * The bulk bodies logferry sends for an event (built by the real sink over a null client), pointed at
 * the `to` indices instead of `from`, gzipped as the client does.
 *
 * @example
 * const pre = await prebuildHandlerBodies(event, config, 'bench', 'benchraw');
 */
export async function prebuildHandlerBodies(
  event: CloudWatchLogsEvent,
  config: Config,
  from: string,
  to: string,
): Promise<Prebuilt> {
  const sinks = createNullSinks(config, { capture: true });
  const { report } = await ingestCloudWatchLogs(
    event,
    { config, sinks, region: 'us-east-1' },
    Date.now() + 60_000,
  );
  const bodies = sinks.bodies.map(({ body, docs }) => {
    // Only action lines start with this; the documents' own text is escaped JSON inside a string.
    const text = body.replaceAll(`{"index":{"_index":"${from}-`, `{"index":{"_index":"${to}-`);
    const wire = gzipSync(text, { level: BULK_GZIP_LEVEL });
    return { wire, gzip: true, bytes: Buffer.byteLength(text), docs };
  });
  return { bodies, docs: report.documents };
}

/** A body sent as it is (the forwarder sends plain JSON). */
export function plainBodies(body: string, docs: number): Prebuilt {
  const wire = Buffer.from(body);
  return { bodies: [{ wire, gzip: false, bytes: wire.length, docs }], docs };
}

function postBulk(agent: http.Agent, url: URL, body: Prebuilt['bodies'][number]): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/_bulk',
        headers: {
          'content-type': 'application/json',
          ...(body.gzip ? { 'content-encoding': 'gzip' } : {}),
          'content-length': body.wire.length,
        },
      },
      (res) => {
        // The head of the answer says whether any item failed; the ceiling does not parse the rest.
        let head = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (head.length < 64) head += chunk.slice(0, 64);
        });
        res.on('end', () => {
          if (res.statusCode !== 200 || !/"errors"\s*:\s*false/.test(head)) {
            reject(new Error(`raw bulk answered ${res.statusCode}: ${head}`));
          } else resolve();
        });
      },
    );
    req.on('error', reject);
    req.end(body.wire);
  });
}

/**
 * Posts every body of `pre`, `concurrency` at a time, and fails if any item failed.
 *
 * @example
 * await postAll(agent, new URL('http://127.0.0.1:9200'), pre, 2);
 */
export async function postAll(
  agent: http.Agent,
  url: URL,
  pre: Prebuilt,
  concurrency: number,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < pre.bodies.length) await postBulk(agent, url, pre.bodies[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, pre.bodies.length) }, worker));
}
