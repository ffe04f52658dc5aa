// The largest batch Lambda delivers from Kinesis (10,000 records), every record kind mixed in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '#shared/config/yaml.ts';
import { BATCH_SUMMARY } from '#shared/pipeline/outcome.ts';
import { countIds, deadLetterRows, expectedOf, syntheticBatch } from '#test/helpers/kinesis.ts';
import { type LocalPipeline, localPipeline } from '#test/helpers/pipeline.ts';

let p: LocalPipeline;

beforeAll(async () => {
  p = await localPipeline('big-batch', { handler: 'kinesis' });
});

afterAll(() => p.restoreEnv());

describe('a 10,000-record Kinesis batch', () => {
  it('delivers every document exactly once, and a redelivery changes no count', async () => {
    // Prepare: 10,000 records (text, gzip, CloudWatch payloads, FireLens, KPL), two lines each, one poison.
    const event = syntheticBatch(10_000, {
      lines: 2,
      kinds: ['text', 'gzip', 'cloudwatch', 'firelens', 'kpl'],
    });
    event.Records[5_000]!.kinesis.data = Buffer.from('\u0000binary\u0000').toString('base64');
    const expected = await expectedOf(event, loadConfig(process.env.LOGFERRY_CONFIG!));
    expect(expected.poison).toBe(1);
    // Act
    const t0 = Date.now();
    const response = await p.invokeKinesis(event, 120_000);
    const ms = Date.now() - t0;
    // Assess
    const summary = response[BATCH_SUMMARY]!;
    console.log(
      `10,000 records, ${summary.documents} documents: ${ms} ms (${Math.round(summary.documents / (ms / 1000))} docs/s), ${summary.archiveKeys.length} archive objects`,
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(summary).toMatchObject({
      indexed: expected.ids.length,
      archived: expected.ids.length,
      deadLettered: 1,
    });
    expect(await p.count()).toBe(expected.ids.length);
    expect(await countIds(p, expected.ids)).toBe(expected.ids.length);
    expect(await deadLetterRows(p)).toHaveLength(1);
    const archiveKeys = (await p.listKeys('archive/')).length;
    // Redelivery: same ids, same archive keys.
    expect((await p.invokeKinesis(event, 120_000)).batchItemFailures).toEqual([]);
    expect(await p.count()).toBe(expected.ids.length);
    expect((await p.listKeys('archive/')).length).toBe(archiveKeys);
    expect(await deadLetterRows(p)).toHaveLength(1);
  });
});
