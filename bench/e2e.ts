// End to end: 1 MB CloudWatch Logs events through the real handler into OpenSearch, against the raw-bulk ceiling.
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import type { Client } from '@opensearch-project/opensearch';
import type { CloudWatchLogsEvent } from 'aws-lambda';
import { BULK_GZIP_LEVEL } from '#shared/clients/opensearch-gzip.ts';
import type { Config } from '#shared/config/schema.ts';
import type { BatchSummary } from '#shared/pipeline/outcome.ts';
import { ingestCloudWatchLogs } from '#shared/sources/cloudwatch-logs.ts';
import { lambdaContext } from '#test/helpers/lambda-context.ts';
import { createNullSinks } from './null-sinks.ts';
import { round } from './pipeline.ts';

export interface E2eResult {
  /** Documents per second through the real handler (decode, parse, index, archive), one event at a time. */
  docs_per_s: number;
  /** The same documents, as pre-built gzipped NDJSON bodies of the same sizes, posted with the same concurrency. */
  raw_bulk_docs_per_s: number;
  ratio: number;
  events: number;
  documents: number;
  bulk_requests: number;
  /** Mean bulk body before gzip. */
  bulk_body_bytes: number;
  concurrency: number;
  handler_ms: number;
  /** Of handler_ms, the time the index sink took (bulk requests, their gzip and answers included). */
  handler_index_ms: number;
  raw_ms: number;
}

type Handler = (
  event: CloudWatchLogsEvent,
  context: ReturnType<typeof lambdaContext>,
) => Promise<unknown>;

interface Prebuilt {
  bodies: { gz: Buffer; bytes: number; docs: number }[];
  docs: number;
}

/** The bulk bodies the handler will send for an event, pointed at the raw indices, gzipped as the client does. */
async function prebuild(
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
    return { gz: gzipSync(text, { level: BULK_GZIP_LEVEL }), bytes: Buffer.byteLength(text), docs };
  });
  return { bodies, docs: report.documents };
}

function postBulk(agent: http.Agent, url: URL, gz: Buffer): Promise<void> {
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
          'content-encoding': 'gzip',
          'content-length': gz.length,
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
    req.end(gz);
  });
}

async function postAll(
  agent: http.Agent,
  url: URL,
  pre: Prebuilt,
  concurrency: number,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < pre.bodies.length) await postBulk(agent, url, pre.bodies[next++]!.gz);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, pre.bodies.length) }, worker));
}

/**
 * Alternates handler and raw runs event by event (ABBA), so load from anything else on the machine falls
 * on both alike. `handler` is the real, already-imported CloudWatch Logs handler.
 *
 * @example
 * const r = await benchE2e({ handler, events, warmup, config, url, client, prefix: 'bench', rawPrefix: 'benchraw' });
 */
export async function benchE2e(opts: {
  handler: Handler;
  events: CloudWatchLogsEvent[];
  warmup: CloudWatchLogsEvent;
  config: Config;
  url: string;
  client: Client;
  prefix: string;
  rawPrefix: string;
}): Promise<E2eResult> {
  const { config } = opts;
  const url = new URL(opts.url);
  const agent = new http.Agent({ keepAlive: true });
  const concurrency = config.opensearch.concurrency;
  try {
    const built = [];
    for (const e of [opts.warmup, ...opts.events])
      built.push(await prebuild(e, config, opts.prefix, opts.rawPrefix));
    const [warmBuilt, ...prebuilt] = built;

    const invoke = async (event: CloudWatchLogsEvent): Promise<BatchSummary> => {
      const summary = (await opts.handler(
        event,
        lambdaContext('logferry-bench-ingestCloudwatch'),
      )) as BatchSummary;
      if (summary.indexed !== summary.documents) {
        throw new Error(
          `handler indexed ${summary.indexed} of ${summary.documents}: ${summary.errors[0]}`,
        );
      }
      return summary;
    };
    // Creates the day's indices on both sides and warms the JIT; not timed.
    await invoke(opts.warmup);
    await postAll(agent, url, warmBuilt!, concurrency);

    let handlerMs = 0;
    let indexMs = 0;
    let rawMs = 0;
    let documents = 0;
    for (const [i, event] of opts.events.entries()) {
      const pre = prebuilt[i]!;
      const runHandler = async () => {
        const t = performance.now();
        const summary = await invoke(event);
        handlerMs += performance.now() - t;
        indexMs += summary.indexMs;
        if (summary.documents !== pre.docs)
          throw new Error(`handler made ${summary.documents} documents, expected ${pre.docs}`);
        documents += summary.documents;
      };
      const runRaw = async () => {
        const t = performance.now();
        await postAll(agent, url, pre, concurrency);
        rawMs += performance.now() - t;
      };
      if (i % 4 === 0 || i % 4 === 3) {
        await runHandler();
        await runRaw();
      } else {
        await runRaw();
        await runHandler();
      }
    }

    // Both sides must hold every document, or the rates mean nothing.
    const expected = documents + warmBuilt!.docs;
    for (const prefix of [opts.prefix, opts.rawPrefix]) {
      await opts.client.indices.refresh({ index: `${prefix}-*` });
      const { body } = await opts.client.count({ index: `${prefix}-*` });
      if (body.count !== expected)
        throw new Error(`${prefix}-* holds ${body.count} documents, expected ${expected}`);
    }
    const requests = prebuilt.reduce((n, p) => n + p.bodies.length, 0);
    const bytes = prebuilt.reduce((n, p) => n + p.bodies.reduce((m, b) => m + b.bytes, 0), 0);
    const docsPerS = documents / (handlerMs / 1000);
    const rawPerS = documents / (rawMs / 1000);
    return {
      docs_per_s: Math.round(docsPerS),
      raw_bulk_docs_per_s: Math.round(rawPerS),
      ratio: round(docsPerS / rawPerS, 3),
      events: opts.events.length,
      documents,
      bulk_requests: requests,
      bulk_body_bytes: Math.round(bytes / requests),
      concurrency,
      handler_ms: Math.round(handlerMs),
      handler_index_ms: Math.round(indexMs),
      raw_ms: Math.round(rawMs),
    };
  } finally {
    agent.destroy();
  }
}
