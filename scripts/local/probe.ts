// Small HTTP and TCP probes that tell whether a local service answers, and a poll-until helper.
import net from 'node:net';
import { sleep } from './process.ts';

export interface HttpAnswer {
  status: number;
  body: string;
  headers: Headers;
}

/** A GET that never throws: undefined means nothing answered (refused, reset or timed out). */
export async function httpGet(url: string, timeoutMs = 3_000): Promise<HttpAnswer | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, body: await response.text(), headers: response.headers };
  } catch {
    return undefined;
  }
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Whether anything accepts TCP connections there, to tell a busy port from a free one. */
export function portInUse(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (inUse: boolean): void => {
      socket.destroy();
      resolve(inUse);
    };
    socket.setTimeout(timeoutMs, () => done(true));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Returns a reason to give up early, e.g. the process already exited. */
  failFast?: () => string | undefined;
}

export class NotReadyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotReadyError';
  }
}

export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  options: WaitOptions,
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await check()) return;
    const reason = options.failFast?.();
    if (reason) throw new NotReadyError(`${what}: ${reason}`);
    if (Date.now() >= deadline) {
      throw new NotReadyError(`${what}: not ready after ${Math.round(options.timeoutMs / 1000)}s`);
    }
    await sleep(options.intervalMs ?? 500);
  }
}
