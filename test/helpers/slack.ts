// A private Slack webhook receiver for one test file, so faults asked of it never reach other tests.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  LOCAL_DIR,
  type RecordedMessage,
  type SlackReceiver,
  startSlackReceiver,
} from '#scripts/local/stack.ts';

export interface PrivateSlack {
  receiver: SlackReceiver;
  /** The webhook URL to hand the handler (SLACK_WEBHOOK_URL). */
  webhookUrl: string;
  messages(): Promise<RecordedMessage[]>;
  clear(): Promise<void>;
  /** `{ mode: '429', retryAfter: 2, count: 3 }`, `{ mode: '500' }`, `{ mode: 'ok' }`. */
  control(mode: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

export async function privateSlack(name: string): Promise<PrivateSlack> {
  const file = join(LOCAL_DIR, 'test-slack', `${name}-${process.pid}.ndjson`);
  rmSync(file, { force: true });
  const receiver = await startSlackReceiver({ port: 0, file });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${receiver.url}${path}`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`slack receiver ${method} ${path}: HTTP ${res.status}`);
    return res.json();
  };
  return {
    receiver,
    webhookUrl: `${receiver.url}/services/T000/B000/${name}`,
    messages: async () => (await call('GET', '/_messages')) as RecordedMessage[],
    clear: async () => void (await call('DELETE', '/_messages')),
    control: async (mode) => void (await call('POST', '/_control', mode)),
    close: () => receiver.close(),
  };
}
