import { createHash } from 'node:crypto';
import type { KinesisStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { decodeKinesisRecord, decodePayload, kinesisEventId } from '#shared/decode/kinesis.ts';
import { deaggregate } from '#shared/decode/kpl.ts';
import { loadJson, loadMessage } from '#test/helpers/events.ts';
import {
  cloudWatchLogsData,
  fireLensLine,
  gzipData,
  kinesisRecord,
  kplAggregate,
  sequenceNumber,
  zlibData,
} from '#test/helpers/kinesis-events.ts';

const opts = { maxBytes: 1 << 20 };
const seq = sequenceNumber(7);

describe('decodeKinesisRecord', () => {
  it('takes a CloudWatch Logs payload with its own event ids, the record as delivery unit', () => {
    const msg = loadMessage('nginx-access');
    const { events, rejected } = decodeKinesisRecord(
      kinesisRecord(cloudWatchLogsData(msg), { seq }),
      opts,
    );
    expect(rejected).toEqual([]);
    expect(events.map((e) => e.id)).toEqual(msg.logEvents.map((e) => e.id));
    expect(events.every((e) => e.recordId === seq && e.source.logGroup === msg.logGroup)).toBe(
      true,
    );
  });

  it('acknowledges a CloudWatch Logs control message with no events', () => {
    const { events, rejected } = decodeKinesisRecord(
      kinesisRecord(cloudWatchLogsData(loadMessage('control')), { seq }),
      opts,
    );
    expect(events).toEqual([]);
    expect(rejected).toEqual([]);
  });

  it('splits plain text into lines with ids from stream, shard, sequence number and line index', () => {
    const record = kinesisRecord('first\r\nsecond\n\nthird\n', { seq, partitionKey: 'web-1' });
    const { events, ref } = decodeKinesisRecord(record, opts);
    expect(events.map((e) => e.message)).toEqual(['first', 'second', 'third']);
    expect(events.map((e) => e.id)).toEqual(
      [0, 1, 2].map((i) => kinesisEventId(ref, undefined, i)),
    );
    expect(events[0]).toMatchObject({
      recordId: seq,
      timestamp: 1763632800000,
      source: {
        logGroup: 'logferry-logs',
        logStream: 'web-1',
        kinesis: { stream: 'logferry-logs', shardId: 'shardId-000000000000', sequenceNumber: seq },
      },
    });
    // Same record, same ids: a redelivery overwrites.
    expect(decodeKinesisRecord(record, opts).events.map((e) => e.id)).toEqual(
      events.map((e) => e.id),
    );
  });

  it('gives every line a different id across records, shards and KPL sub-records', () => {
    const a = decodeKinesisRecord(kinesisRecord('x', { seq }), opts).events[0]!.id;
    const b = decodeKinesisRecord(kinesisRecord('x', { seq: sequenceNumber(8) }), opts).events[0]!
      .id;
    const c = decodeKinesisRecord(
      kinesisRecord('x', { seq, shardId: 'shardId-000000000001' }),
      opts,
    ).events[0]!.id;
    expect(new Set([a, b, c]).size).toBe(3);
  });

  it('inflates gzip and zlib data', () => {
    expect(
      decodeKinesisRecord(kinesisRecord(gzipData('a\nb'), { seq }), opts).events.map(
        (e) => e.message,
      ),
    ).toEqual(['a', 'b']);
    expect(
      decodeKinesisRecord(kinesisRecord(zlibData('c\n'), { seq }), opts).events.map(
        (e) => e.message,
      ),
    ).toEqual(['c']);
  });

  it('de-aggregates KPL records, each user record with its own partition key and sub-sequence id', () => {
    const data = kplAggregate([
      { data: 'one\ntwo', partitionKey: 'a' },
      { data: gzipData('three'), partitionKey: 'b' },
      { data: cloudWatchLogsData(loadMessage('app-json')), partitionKey: 'c' },
    ]);
    const { events, rejected, ref } = decodeKinesisRecord(kinesisRecord(data, { seq }), opts);
    expect(rejected).toEqual([]);
    expect(events.map((e) => e.message).slice(0, 3)).toEqual(['one', 'two', 'three']);
    expect(events).toHaveLength(3 + loadMessage('app-json').logEvents.length);
    expect(events[2]!.id).toBe(kinesisEventId(ref, 1, 0));
    expect(events[2]!.source.logStream).toBe('b');
    expect(events.every((e) => e.recordId === seq)).toBe(true);
  });

  it('keeps a FireLens JSON record whole as one line for the transform to unwrap', () => {
    const line = fireLensLine('GET / 200');
    expect(
      decodeKinesisRecord(kinesisRecord(line, { seq }), opts).events.map((e) => e.message),
    ).toEqual([line]);
    const pretty = JSON.stringify(JSON.parse(line), null, 2);
    expect(decodePayload(Buffer.from(pretty), 1 << 20)).toMatchObject({
      kind: 'lines',
      lines: [line],
    });
  });

  it('rejects, without throwing, corrupt gzip, binary data, a KPL checksum mismatch and bad base64', () => {
    const corruptGzip = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.from('garbage')]);
    const kplData = kplAggregate([{ data: 'x' }]);
    kplData[kplData.length - 1]! ^= 0xff;
    const cases: [Buffer | string, string][] = [
      [corruptGzip, 'gzip'],
      [Buffer.from([0x41, 0x00, 0x42]), 'binary'],
      [Buffer.from([0xc3, 0x28]), 'binary'],
      [kplData, 'kpl'],
      [cloudWatchLogsData({ messageType: 'DATA_MESSAGE', logEvents: 'nope' }), 'shape'],
    ];
    for (const [data, reason] of cases) {
      const { events, rejected } = decodeKinesisRecord(kinesisRecord(data, { seq }), opts);
      expect(events).toEqual([]);
      expect(rejected).toMatchObject([{ reason, raw: Buffer.from(data).toString('base64') }]);
    }
    const record = kinesisRecord('x', { seq });
    record.kinesis.data = 'not*base64';
    expect(decodeKinesisRecord(record, opts).rejected).toMatchObject([{ reason: 'base64' }]);
  });

  it('refuses decompressed data past the cap', () => {
    const { rejected } = decodeKinesisRecord(
      kinesisRecord(gzipData('y'.repeat(200_000)), { seq }),
      { maxBytes: 100_000 },
    );
    expect(rejected).toMatchObject([{ reason: 'too_large' }]);
  });

  it('decodes every sample in events/kinesis', () => {
    for (const name of [
      'cloudwatch-logs',
      'kpl-aggregated',
      'gzip',
      'zlib',
      'firelens',
      'plain-text',
    ]) {
      const event = loadJson<KinesisStreamEvent>(`events/kinesis/${name}.json`);
      const decoded = event.Records.map((r) => decodeKinesisRecord(r, opts));
      expect(
        decoded.flatMap((d) => d.rejected),
        name,
      ).toEqual([]);
      expect(decoded.flatMap((d) => d.events).length, name).toBeGreaterThan(0);
    }
  });
});

describe('KPL aggregates the library reads nothing from', () => {
  it('dead-letters an aggregate with a valid checksum but no user record, instead of losing it', () => {
    // Prepare: a partition key table and no records; the MD5 matches, so only the content is wrong.
    const body = Buffer.from([0x0a, 0x01, 0x61]);
    const data = Buffer.concat([
      Buffer.from('f3899ac2', 'hex'),
      body,
      createHash('md5').update(body).digest(),
    ]);
    const ref = {
      stream: 's',
      shardId: 'shardId-0',
      sequenceNumber: '1',
      partitionKey: 'p',
      arrival: 0,
    };
    // Act / Assess
    expect(() => deaggregate(data, ref as never)).toThrow(/no user record/);
  });
});

describe('bounds of one Kinesis record', () => {
  it('gives a KPL aggregate one decompressed budget for all its user records', () => {
    // Prepare: four gzip user records of 300 KB each, under a 1 MiB budget for the record.
    const user = gzipData('x'.repeat(299_999).concat('\n'));
    const record = kinesisRecord(kplAggregate([0, 1, 2, 3].map(() => ({ data: user }))), {
      seq: sequenceNumber(0),
    });
    // Act
    const decoded = decodeKinesisRecord(record, { maxBytes: 1024 * 1024 });
    // Assess: three fit the budget; the fourth is refused for size, not decoded into a fourth copy.
    expect(decoded.events).toHaveLength(3);
    expect(decoded.rejected.map((r) => [r.reason, r.subSequenceNumber])).toEqual([
      ['too_large', 3],
    ]);
  });

  it('takes a forged CloudWatch Logs message of 300,000 events without overflowing the stack', () => {
    // Prepare: the same tiny event 300,000 times compresses to a few hundred KB.
    const logEvents = Array.from({ length: 300_000 }, () => ({
      id: '1',
      timestamp: 1,
      message: 'x',
    }));
    const data = cloudWatchLogsData({
      messageType: 'DATA_MESSAGE',
      owner: '1',
      logGroup: '/g',
      logStream: 's',
      subscriptionFilters: [],
      logEvents,
    });
    expect(data.length).toBeLessThan(1024 * 1024);
    // Act
    const decoded = decodeKinesisRecord(kinesisRecord(data, { seq: sequenceNumber(0) }), {
      maxBytes: 32 * 1024 * 1024,
    });
    // Assess: the record cap holds; the rest is overflow text, one line per event.
    expect(decoded.events).toHaveLength(10_000);
    const overflow = decoded.overflow.flatMap((o) => o.chunks).join('\n');
    expect(overflow.split('\n').filter(Boolean)).toHaveLength(290_000);
  });
});
