import { describe, expect, it } from 'vitest';
import { createSlackClient, retryAfterMs } from '#shared/alerts/slack.ts';

const webhook = {
  url: 'https://hooks.slack.test/services/T000/B000/SECRET',
  name: 'ssm:/logferry/test/slack',
};
const message = { text: 'hello', blocks: [] };

/** A fetch that answers from a script and records when each call came. */
function scripted(answers: (number | [number, Record<string, string>] | Error)[]) {
  const calls: number[] = [];
  const fetch = (async () => {
    calls.push(Date.now());
    const next = answers.shift() ?? 200;
    if (next instanceof Error) throw next;
    const [status, headers] = Array.isArray(next) ? next : [next, {}];
    return new Response(status === 200 ? 'ok' : 'rate_limited', { status, headers });
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

describe('Slack webhook client', () => {
  it('posts and reports success', async () => {
    const { fetch, calls } = scripted([200]);
    const result = await createSlackClient({ fetch }).post(webhook, message, Date.now() + 5000);
    expect(result).toEqual({ ok: true, attempts: 1 });
    expect(calls).toHaveLength(1);
  });

  it('waits Retry-After on a 429 and then sends', async () => {
    const { fetch, calls } = scripted([[429, { 'retry-after': '1' }], 200]);
    const result = await createSlackClient({ fetch }).post(webhook, message, Date.now() + 5000);
    expect(result).toEqual({ ok: true, attempts: 2 });
    expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(990);
  });

  it('gives up at once when Retry-After reaches past the deadline', async () => {
    const { fetch, calls } = scripted([[429, { 'retry-after': '30' }]]);
    const started = Date.now();
    const result = await createSlackClient({ fetch }).post(webhook, message, Date.now() + 2000);
    expect(Date.now() - started).toBeLessThan(500);
    expect(calls).toHaveLength(1);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.message).toBe(
      'ssm:/logferry/test/slack: HTTP 429 rate_limited; Retry-After 30s is past the deadline',
    );
  });

  it('retries a 500 or a refused connection with backoff, within the deadline', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: { code: 'ECONNREFUSED' },
    });
    const { fetch, calls } = scripted([500, refused, 200]);
    const result = await createSlackClient({
      fetch,
      minIntervalMs: 0,
      backoff: { baseMs: 10, maxMs: 20 },
    }).post(webhook, message, Date.now() + 5000);
    expect(result).toEqual({ ok: true, attempts: 3 });
    expect(calls).toHaveLength(3);
  });

  it('does not retry other 4xx, and never puts the URL in its errors', async () => {
    const { fetch } = scripted([404]);
    const result = await createSlackClient({ fetch }).post(webhook, message, Date.now() + 5000);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ name: 'SlackWebhookError', status: 404, permanent: true });
    expect(result.error.message).not.toContain('SECRET');
    const bad = await createSlackClient({
      fetch: (async () => {
        throw new TypeError(`Failed to parse URL from ${webhook.url}`);
      }) as typeof globalThis.fetch,
    }).post(webhook, message, Date.now() + 300);
    expect(!bad.ok && bad.error.message).not.toContain('SECRET');
  });

  it('sends at most one message a second per webhook, across calls', async () => {
    const { fetch, calls } = scripted([200, 200, 200]);
    const slack = createSlackClient({ fetch });
    const other = { ...webhook, url: 'https://hooks.slack.test/services/T000/B001/OTHER' };
    await Promise.all([
      slack.post(webhook, message, Date.now() + 5000),
      slack.post(webhook, message, Date.now() + 5000),
      slack.post(other, message, Date.now() + 5000),
    ]);
    const sorted = [...calls].sort((a, b) => a - b);
    expect(sorted[1]! - sorted[0]!).toBeLessThan(500); // the other webhook does not wait
    expect(sorted[2]! - sorted[0]!).toBeGreaterThanOrEqual(990);
  });

  it('reads Retry-After in seconds', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(null)).toBe(1000);
    expect(retryAfterMs('soon')).toBe(1000);
  });
});

describe('Slack webhook client during an outage', () => {
  it('gives up on a 5xx after three attempts rather than spending the whole budget', async () => {
    const { fetch, calls } = scripted([500, 500, 500, 500]);
    const result = await createSlackClient({ fetch, backoff: { baseMs: 10, maxMs: 20 } }).post(
      webhook,
      message,
      Date.now() + 10_000,
    );
    expect(calls).toHaveLength(3);
    expect(!result.ok && result.error.message).toBe(
      'ssm:/logferry/test/slack: HTTP 500 rate_limited (3 attempts)',
    );
  });
});
