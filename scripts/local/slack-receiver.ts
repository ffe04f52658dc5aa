// A local stand-in for Slack incoming webhooks that records payloads and misbehaves on request.
//
// Standalone: npx tsx scripts/local/slack-receiver.ts [--port 4588] [--host 127.0.0.1] [--file F]
//   POST   /services/<anything>  JSON with `text` or `blocks` → 200 "ok", appended to the file
//   POST   /_control             {"mode":"429","retryAfter":2,"count":3} | {"mode":"500","count":1}
//                                | {"mode":"ok"}; without `count` the mode lasts until reset
//   GET    /_control             the current mode
//   GET    /_messages            recorded lines as a JSON array; DELETE clears them
//   GET    /_health
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { SLACK_MESSAGES_FILE } from './paths.ts';

export const SLACK_RECEIVER_SERVICE = 'logferry-slack-receiver';
const MAX_BODY_BYTES = 1024 * 1024;

export interface SlackReceiverOptions {
  /** 0 picks a free port, for tests that run their own receiver. */
  port?: number;
  host?: string;
  /** NDJSON file the accepted payloads are appended to. */
  file?: string;
}

export interface SlackReceiver {
  url: string;
  port: number;
  file: string;
  close(): Promise<void>;
}

export interface RecordedMessage {
  receivedAt: string;
  path: string;
  payload: Record<string, unknown>;
}

type Mode = { mode: 'ok' } | { mode: '429' | '500'; remaining: number; retryAfter: number };

function send(
  res: http.ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  const json = body.startsWith('{') || body.startsWith('[');
  res.writeHead(status, {
    'content-type': json ? 'application/json' : 'text/plain; charset=utf-8',
    ...headers,
  });
  res.end(body);
}

function readBody(req: http.IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () =>
      resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', reject);
  });
}

function readMessages(file: string): RecordedMessage[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RecordedMessage);
}

function isPayload(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const payload = value as Record<string, unknown>;
  const hasText = typeof payload.text === 'string' && payload.text !== '';
  const hasBlocks = Array.isArray(payload.blocks) && payload.blocks.length > 0;
  return hasText || hasBlocks;
}

/** Parses a /_control body into the next mode, or a reason it cannot. */
function parseControl(value: unknown): Mode | string {
  if (typeof value !== 'object' || value === null) return 'body must be a JSON object';
  const control = value as { mode?: unknown; count?: unknown; retryAfter?: unknown };
  const mode = String(control.mode);
  if (mode === 'ok') return { mode: 'ok' };
  if (mode !== '429' && mode !== '500') return 'mode must be "ok", "429" or "500"';
  const count = control.count === undefined ? Number.POSITIVE_INFINITY : Number(control.count);
  const retryAfter = control.retryAfter === undefined ? 1 : Number(control.retryAfter);
  if (!(count > 0)) return 'count must be a positive number';
  if (!(retryAfter >= 0)) return 'retryAfter must be a number of seconds';
  return { mode, remaining: count, retryAfter };
}

function describe(mode: Mode): Record<string, unknown> {
  if (mode.mode === 'ok') return { mode: 'ok' };
  const remaining = Number.isFinite(mode.remaining) ? mode.remaining : null;
  return mode.mode === '429'
    ? { mode: mode.mode, remaining, retryAfter: mode.retryAfter }
    : { mode: mode.mode, remaining };
}

/**
 * Starts the receiver in this process.
 *
 * @example
 * const slack = await startSlackReceiver({ port: 0, file: 'tmp/slack.ndjson' });
 * // SLACK_WEBHOOK_URL = `${slack.url}/services/T000/B000/test`
 * await slack.close();
 */
export async function startSlackReceiver(
  options: SlackReceiverOptions = {},
): Promise<SlackReceiver> {
  const file = options.file ?? SLACK_MESSAGES_FILE;
  const host = options.host ?? '127.0.0.1';
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let mode: Mode = { mode: 'ok' };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = `${req.method} ${url.pathname}`;

    if (url.pathname.startsWith('/services/')) {
      if (req.method !== 'POST') return send(res, 405, 'invalid_method');
      const body = await readBody(req);
      // Slack rate-limits before it looks at the payload, so the fault comes first.
      if (mode.mode !== 'ok') {
        const current = mode;
        current.remaining -= 1;
        if (current.remaining <= 0) mode = { mode: 'ok' };
        if (current.mode === '429') {
          return send(res, 429, 'rate_limited', { 'retry-after': String(current.retryAfter) });
        }
        return send(res, 500, 'internal_error');
      }
      if (body === undefined) return send(res, 413, 'request_too_large');
      let payload: unknown;
      try {
        payload = JSON.parse(body);
      } catch {
        return send(res, 400, 'invalid_payload');
      }
      if (!isPayload(payload)) return send(res, 400, 'invalid_payload');
      const line: RecordedMessage = {
        receivedAt: new Date().toISOString(),
        path: url.pathname,
        payload,
      };
      fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
      return send(res, 200, 'ok');
    }

    switch (route) {
      case 'GET /_health':
        return send(
          res,
          200,
          JSON.stringify({ service: SLACK_RECEIVER_SERVICE, ...describe(mode) }),
        );
      case 'GET /_control':
        return send(res, 200, JSON.stringify(describe(mode)));
      case 'POST /_control': {
        const body = (await readBody(req)) ?? '';
        let value: unknown;
        try {
          value = JSON.parse(body);
        } catch {
          return send(res, 400, JSON.stringify({ error: 'body must be JSON' }));
        }
        const next = parseControl(value);
        if (typeof next === 'string') return send(res, 400, JSON.stringify({ error: next }));
        mode = next;
        return send(res, 200, JSON.stringify(describe(mode)));
      }
      case 'GET /_messages':
        return send(res, 200, JSON.stringify(readMessages(file)));
      case 'DELETE /_messages':
        fs.writeFileSync(file, '');
        return send(res, 200, JSON.stringify({ cleared: true }));
      default:
        // What Slack answers for a webhook URL that does not exist.
        return send(res, 404, 'no_service');
    }
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, `receiver_error: ${String(error)}`);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4588, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 4588);
  return {
    url: `http://${host}:${port}`,
    port,
    file,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4588' },
      host: { type: 'string', default: '127.0.0.1' },
      file: { type: 'string', default: SLACK_MESSAGES_FILE },
    },
  });
  const receiver = await startSlackReceiver({
    port: Number(values.port),
    host: values.host,
    file: path.resolve(values.file),
  });
  console.log(`slack receiver listening on ${receiver.url}, recording to ${receiver.file}`);
  const shutdown = (): void => {
    receiver.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
