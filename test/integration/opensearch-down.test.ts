// OpenSearch unreachable: the handler must throw (so Lambda retries) and report nothing as delivered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError } from '#shared/errors.ts';
import { loadEvent } from '#test/helpers/events.ts';
import { type LocalPipeline, localPipeline } from '#test/helpers/pipeline.ts';

let p: LocalPipeline;

beforeAll(async () => {
  // Nothing listens on this port: every bulk request is refused.
  p = await localPipeline('down', { env: { OPENSEARCH_URL: 'http://127.0.0.1:9299' } });
});

afterAll(() => p.restoreEnv());

describe('OpenSearch down', () => {
  it('throws a DeliveryError naming the failure once the deadline passes', async () => {
    const err = await p.invoke(loadEvent('nginx-access'), 6_000).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DeliveryError);
    expect((err as DeliveryError).pending).toBe(6);
    expect((err as Error).message).toMatch(
      /6 of 6 documents not delivered: bulk request failed: .*ECONNREFUSED|connect/i,
    );
  });
});
