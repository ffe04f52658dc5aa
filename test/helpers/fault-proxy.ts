// A forwarding HTTP proxy that can be told to fail: S3 (moto) answering 500 on demand, which moto cannot do itself.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultProxy {
  url: string;
  /** When set, every request is answered with this status (and an S3-style error body). */
  failWith: number | undefined;
  /** Requests answered with a fault since start. */
  faults: number;
  close(): Promise<void>;
}

/**
 * Forwards to `target` until `failWith` is set. Bounded by the test: it listens on 127.0.0.1 only.
 *
 * @example
 * const proxy = await startFaultProxy('http://127.0.0.1:5000');
 * proxy.failWith = 500;
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const to = new URL(target);
  const state = { failWith: undefined as number | undefined, faults: 0 };
  const server: Server = createServer((req, res) => {
    if (state.failWith !== undefined) {
      state.faults++;
      req.resume();
      res.writeHead(state.failWith, { 'content-type': 'application/xml' });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>injected fault</Message></Error>',
      );
      return;
    }
    const upstream = request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get failWith() {
      return state.failWith;
    },
    set failWith(v) {
      state.failWith = v;
    },
    get faults() {
      return state.faults;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
