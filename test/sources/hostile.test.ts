import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '#shared/config/file.ts';
import { kinesisResponse } from '#shared/pipeline/outcome.ts';
import { archiveRow } from '#shared/sinks/archive-keys.ts';
import { createRecordingSinks } from '#shared/sinks/recording.ts';
import { ingestCloudWatchLogs } from '#shared/sources/cloudwatch-logs.ts';
import { ingestKinesis } from '#shared/sources/kinesis.ts';
import { awslogsEvent, messageOf } from '#test/helpers/events.ts';
import { kinesisEvent, kinesisRecord, sequenceNumber } from '#test/helpers/kinesis-events.ts';

const config = parseConfig({ version: 1 });
const deadline = () => Date.now() + 20_000;
const INDEX = /^logs-(access|error|application)-\d{4}\.\d{2}\.\d{2}$/;

/** A subscription message as JSON text, so numbers JSON.parse turns into Infinity can be written. */
function rawMessage(timestamp: string, message = 'hello'): string {
  return `{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"/g","logStream":"s","subscriptionFilters":[],"logEvents":[{"id":"e1","timestamp":${timestamp},"message":${JSON.stringify(message)}}]}`;
}

/** A Kinesis batch: the hostile record first, then a good sibling that must be acknowledged with it. */
async function kinesisWith(data: Buffer | string, cfg = config) {
  const sinks = createRecordingSinks();
  const records = [
    kinesisRecord(data, { seq: sequenceNumber(0) }),
    kinesisRecord('good sibling line', { seq: sequenceNumber(1) }),
  ];
  const { report } = await ingestKinesis(kinesisEvent(records), { config: cfg, sinks }, deadline());
  const response = kinesisResponse(records, report);
  // Every row and entry must serialise: the S3 sinks write them.
  const rows = sinks.archived.flatMap((o) => o.rows);
  const entries = sinks.deadLetters.flatMap((d) => d.entries);
  return { sinks, report, response, rows, entries };
}

async function cloudWatchWith(event: unknown, cfg = config) {
  const sinks = createRecordingSinks();
  const { report } = await ingestCloudWatchLogs(event as never, { config: cfg, sinks }, deadline());
  return { sinks, report };
}

describe('hostile input: every case ends indexed or dead-lettered, never thrown or retried', {
  timeout: 120_000,
}, () => {
  describe.each(['1e400', '1e20', '8640000000000001', '8640000000000000', '-8640000000000000'])(
    'event timestamp %s',
    (ts) => {
      it('CloudWatch Logs: indexed at the arrival time, tagged, in a dated index', async () => {
        const data = gzipSync(rawMessage(ts)).toString('base64');
        const { sinks, report } = await cloudWatchWith({ awslogs: { data } });
        expect([...report.outcomes.values()]).toEqual(['ok']);
        expect(sinks.indexed).toHaveLength(1);
        expect(sinks.indexed[0]!.index).toMatch(INDEX);
        expect(sinks.indexed[0]!.doc.tags).toContain('_invalid_timestamp');
      });

      it('Kinesis (CloudWatch Logs payload): the batch is acknowledged with its sibling', async () => {
        const { response, sinks } = await kinesisWith(gzipSync(rawMessage(ts)));
        expect(response.batchItemFailures).toEqual([]);
        expect(sinks.indexed.map((r) => r.index)).toHaveLength(2);
        for (const r of sinks.indexed) expect(r.index).toMatch(INDEX);
      });
    },
  );

  it('a line time past year 9999 falls back to the transport time, tagged', async () => {
    const line = JSON.stringify({ time: '+275760-09-13T00:00:00Z', msg: 'far' });
    const { sinks } = await cloudWatchWith(awslogsEvent(messageOf([line])));
    expect(sinks.indexed[0]!.doc['@timestamp']).toBe('2025-11-20T10:00:00.000Z');
  });

  describe('JSON nested 5,000 deep', () => {
    const deep = (key: string) => `{"${key}":`.repeat(5000) + '"v"' + '}'.repeat(5000);

    it('CloudWatch Logs: kept as text and tagged, archived, its sibling delivered', async () => {
      const { sinks, report } = await cloudWatchWith(
        awslogsEvent(messageOf([deep('password'), 'ok'])),
      );
      expect([...report.outcomes.values()]).toEqual(['ok']);
      expect(report.archived).toBe(2);
      const [doc] = sinks.indexed.map((r) => r.doc);
      expect(doc!.tags).toContain('_json_too_deep');
      expect(doc!.message.length).toBeGreaterThan(50_000);
      expect(sinks.archived[0]!.rows[0]).toContain('_json_too_deep');
    });

    it('Kinesis: a pretty-printed deep record is one text document, the batch acknowledged', async () => {
      const pretty = `{\n${deep('a').slice(1)}`;
      const { response, sinks } = await kinesisWith(pretty);
      expect(response.batchItemFailures).toEqual([]);
      expect(sinks.indexed).toHaveLength(2);
      expect(sinks.indexed[0]!.doc.tags).toContain('_json_too_deep');
    });

    it('Kinesis: a deep JSON array element stays bounded', async () => {
      const { response } = await kinesisWith(`[${deep('a')}, "x"]`);
      expect(response.batchItemFailures).toEqual([]);
    });
  });

  it('fan-out: a 2 KB record of 200,000 lines yields the cap and dead-letters the rest in chunks', async () => {
    const cfg = parseConfig({ version: 1, decode: { max_events_per_record: 1000 } });
    const data = gzipSync('x\n'.repeat(200_000));
    expect(data.length).toBeLessThan(3000);
    const { response, report, entries } = await kinesisWith(data, cfg);
    expect(response.batchItemFailures).toEqual([]);
    expect(report.documents).toBe(1001);
    expect(report.outcomes.get(sequenceNumber(0))).toBe('dead-letter');
    expect(report.outcomes.get(sequenceNumber(1))).toBe('ok');
    const overflow = entries.filter((e) => e.reason === 'decode_too_many_events');
    expect(overflow.length).toBeGreaterThan(0);
    for (const e of overflow) expect(e.raw!.length).toBeLessThanOrEqual(1024 * 1024);
    expect(overflow.reduce((n, e) => n + e.raw!.split('\n').filter(Boolean).length, 0)).toBe(
      199_000,
    );
  });

  it('overflow text is masked like the documents', async () => {
    const cfg = parseConfig({ version: 1, decode: { max_events_per_record: 100 } });
    const lines = Array.from({ length: 150 }, (_, i) => `line ${i} password=hunter${i}`).join('\n');
    const { entries } = await kinesisWith(lines, cfg);
    const raw = entries.map((e) => e.raw).join('\n');
    expect(raw).toContain('line 149 password=[REDACTED]');
    expect(raw).not.toMatch(/hunter\d/);
  });

  it('a line past decode.max_line_bytes is dead-lettered, not parsed; CloudWatch payload too', async () => {
    const cfg = parseConfig({ version: 1, decode: { max_line_bytes: 256 * 1024 } });
    const long = 'a.'.repeat(150_000);
    const { report, sinks } = await cloudWatchWith(awslogsEvent(messageOf([long, 'short'])), cfg);
    expect(report.documents).toBe(1);
    expect(sinks.deadLetters.flatMap((d) => d.entries).map((e) => e.reason)).toEqual([
      'decode_line_too_long',
    ]);
    const k = await kinesisWith(long, cfg);
    expect(k.response.batchItemFailures).toEqual([]);
    expect(k.entries.map((e) => e.reason)).toEqual(['decode_line_too_long']);
  });

  it('prototype keys stay data: nothing is polluted', async () => {
    const line =
      '{"msg":"x","__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}},"password":"p"}';
    const { sinks, report } = await cloudWatchWith(awslogsEvent(messageOf([line])));
    expect([...report.outcomes.values()]).toEqual(['ok']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(archiveRow(sinks.indexed[0]!)).toContain('__proto__');
  });

  it('a regex-hostile 256 KiB line is indexed (the old url_password rule took 17 s on it)', async () => {
    const line = `${'a.'.repeat(131_000)} x://y@`;
    const { sinks, report } = await cloudWatchWith(awslogsEvent(messageOf([line])));
    expect([...report.outcomes.values()]).toEqual(['ok']);
    expect(sinks.indexed).toHaveLength(1);
  });

  it('fuzz: random, corrupt and wrong-shaped payloads on both paths', async () => {
    const payload = fc.oneof(
      fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b)),
      fc.string({ maxLength: 256 }).map((s) => Buffer.from(s)),
      fc.jsonValue({ maxDepth: 6 }).map((v) => gzipSync(JSON.stringify(v))),
      fc
        .record({
          ts: fc.oneof(fc.double(), fc.constantFrom('1e400', '"x"', 'null')),
          m: fc.string(),
        })
        .map(({ ts, m }) => gzipSync(rawMessage(String(ts), m))),
    );
    await fc.assert(
      fc.asyncProperty(payload, async (data) => {
        const k = await kinesisWith(data);
        // The poison record is indexed or dead-lettered; the sibling is never dragged into a retry.
        expect(k.response.batchItemFailures).toEqual([]);
        expect(k.report.outcomes.get(sequenceNumber(1))).toBe('ok');
        const c = await cloudWatchWith({ awslogs: { data: data.toString('base64') } });
        expect([...c.report.outcomes.values()]).not.toContain('retry');
      }),
      { numRuns: 150, seed: 11 },
    );
  });
});
