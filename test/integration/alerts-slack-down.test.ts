// Slack unreachable (connection refused): every document still reaches OpenSearch, alerts are counted as dropped.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEvent } from '#test/helpers/events.ts';
import { type LocalPipeline, localPipeline } from '#test/helpers/pipeline.ts';

let p: LocalPipeline;
const stateIndex = `alerts-it-alerts-down-${process.pid}`;

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  const port = await closedPort();
  p = await localPipeline('alerts-down', {
    env: { SLACK_WEBHOOK_URL: `http://127.0.0.1:${port}/services/T000/B000/down` },
    yaml: `alerts:\n  state_index: ${stateIndex}\n  rules:\n    - name: errors\n`,
  });
});

afterAll(async () => {
  p.restoreEnv();
  await p.opensearch.indices.delete({ index: stateIndex }).catch(() => undefined);
});

describe('Slack down', () => {
  it('indexes and archives every document, drops the alerts with a reason, and returns promptly', async () => {
    // Act
    const started = Date.now();
    const summaries = [];
    for (const name of ['app-json', 'nginx-error', 'lambda'])
      summaries.push(await p.invoke(loadEvent(name)));
    const took = Date.now() - started;
    // Assess
    const documents = summaries.reduce((n, s) => n + s.documents, 0);
    expect(
      summaries.every(
        (s) => s.indexed === s.documents && s.archived === s.documents && s.retry === 0,
      ),
    ).toBe(true);
    expect(await p.count()).toBe(documents);
    const dropped = summaries.reduce((n, s) => n + s.alerts.dropped, 0);
    expect(dropped).toBeGreaterThan(0);
    expect(summaries.reduce((n, s) => n + s.alerts.sent, 0)).toBe(0);
    expect(summaries.find((s) => s.alerts.dropped > 0)!.alerts.errors[0]).toMatch(
      /SLACK_WEBHOOK_URL: no answer \(ECONNREFUSED\) \(3 attempts\)/,
    );
    // Three quick attempts per message, not the whole alert budget.
    expect(took).toBeLessThan(10_000);
  });
});
