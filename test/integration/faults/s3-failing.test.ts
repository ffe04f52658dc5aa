// S3 failing (500 on every request): archive and dead-letter writes fail, so the records must come back.
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localEnv } from '#scripts/local/stack.ts';
import { loadConfig } from '#shared/config/yaml.ts';
import { type FaultProxy, startFaultProxy } from '#test/helpers/fault-proxy.ts';
import {
  countIds,
  deadLetterRows,
  deliver,
  expectedOf,
  syntheticBatch,
} from '#test/helpers/kinesis.ts';
import { type LocalPipeline, localPipeline } from '#test/helpers/pipeline.ts';

let proxy: FaultProxy;
let p: LocalPipeline;

beforeAll(async () => {
  proxy = await startFaultProxy(localEnv().AWS_ENDPOINT_URL!);
  p = await localPipeline('s3-failing', {
    handler: 'kinesis',
    env: { AWS_ENDPOINT_URL: proxy.url },
  });
});

afterAll(async () => {
  p?.restoreEnv();
  await proxy?.close();
});

describe('S3 failing', () => {
  it('reports the first record for retry while S3 fails, and a redelivery archives everything exactly once', async () => {
    // Prepare: 100 records, one of them poison (its dead-letter entry needs S3 too).
    const event = syntheticBatch(100, { lines: 4, kinds: ['text', 'gzip', 'kpl'] });
    event.Records[40]!.kinesis.data = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x42]).toString(
      'base64',
    );
    const expected = await expectedOf(event, loadConfig(process.env.LOGFERRY_CONFIG!));
    expect(expected.poison).toBe(1);
    // Act: S3 answers 500 to everything.
    proxy.failWith = 500;
    const failing = await p.invokeKinesis(event, 30_000);
    // Assess: nothing is acknowledged (the first record's archive object could not be written).
    expect(proxy.faults).toBeGreaterThan(0);
    expect(failing.batchItemFailures).toEqual([
      { itemIdentifier: event.Records[0]!.kinesis.sequenceNumber },
    ]);

    // Act: S3 is back; Lambda redelivers from the reported record.
    proxy.failWith = undefined;
    const rounds = await deliver(p, event, { timeoutMs: 30_000 });
    expect(rounds.at(-1)?.failedAt).toBeUndefined();

    // Assess: indexed + dead-lettered = sent; the archive holds every document once.
    expect(await countIds(p, expected.ids)).toBe(expected.ids.length);
    expect(await p.count()).toBe(expected.ids.length);
    expect(await deadLetterRows(p)).toMatchObject([
      { record_id: event.Records[40]!.kinesis.sequenceNumber },
    ]);
    const archived: string[] = [];
    for (const key of await p.listKeys('archive/')) {
      const rows = gunzipSync(await p.getObject(key))
        .toString('utf8')
        .trimEnd()
        .split('\n');
      archived.push(...rows.map((r) => (JSON.parse(r) as { event: { id: string } }).event.id));
    }
    expect(archived.sort()).toEqual([...expected.ids].sort());
  });
});
