import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeCloudWatchLogsData, toInputEvents } from '#shared/decode/cloudwatch-logs.ts';
import { decompress } from '#shared/decode/compression.ts';
import { DecodeError } from '#shared/errors.ts';
import { loadEvent, loadMessage } from '#test/helpers/events.ts';

const MAX = 32 * 1024 * 1024;

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof DecodeError) return err.reason;
    throw err;
  }
  return undefined;
}

/** A data message as emulators send it: moto puts the event ids in as JSON numbers. */
function payloadWithIds(...ids: unknown[]): string {
  const logEvents = ids.map((id, i) => ({
    id,
    timestamp: 1_700_000_000_000 + i,
    message: `line ${i}`,
  }));
  return gzipSync(
    JSON.stringify({
      messageType: 'DATA_MESSAGE',
      owner: '123456789012',
      logGroup: 'g',
      logStream: 's',
      subscriptionFilters: ['f'],
      logEvents,
    }),
  ).toString('base64');
}

describe('decodeCloudWatchLogsData', () => {
  it('decodes every sample event to its readable fixture', () => {
    for (const name of ['nginx-access', 'nginx-error', 'app-json', 'lambda', 'control']) {
      // Act
      const msg = decodeCloudWatchLogsData(loadEvent(name).awslogs.data, MAX);
      // Assess
      expect(msg).toEqual(loadMessage(name));
    }
  });

  it('acknowledges control messages with no events', () => {
    const msg = decodeCloudWatchLogsData(loadEvent('control').awslogs.data, MAX);
    expect(msg.messageType).toBe('CONTROL_MESSAGE');
    expect(toInputEvents(msg, 'r')).toEqual([]);
  });

  it('turns data messages into input events with their source', () => {
    const events = toInputEvents(loadMessage('app-json'), 'rec', 'eu-west-1');
    expect(events).toHaveLength(4);
    expect(events[0]).toMatchObject({
      id: loadMessage('app-json').logEvents[0]!.id,
      recordId: 'rec',
      source: { logGroup: '/ecs/orders-api', owner: '123456789012', region: 'eu-west-1' },
    });
  });

  it.each([
    ['not base64', '***not base64***', 'base64'],
    ['empty', '', 'empty'],
    ['not gzip', Buffer.from('plain text').toString('base64'), 'gzip'],
    [
      'truncated gzip',
      gzipSync('{"messageType":"DATA_MESSAGE"}').subarray(0, 12).toString('base64'),
      'gzip',
    ],
    ['not JSON', gzipSync('not json').toString('base64'), 'json'],
    ['JSON array', gzipSync('[1,2]').toString('base64'), 'shape'],
    ['unknown messageType', gzipSync('{"messageType":"X"}').toString('base64'), 'shape'],
    [
      'event without id',
      gzipSync(
        JSON.stringify({
          messageType: 'DATA_MESSAGE',
          logGroup: 'g',
          logStream: 's',
          logEvents: [{ message: 'x' }],
        }),
      ).toString('base64'),
      'shape',
    ],
  ])('rejects %s with a DecodeError', (_name, data, reason) => {
    expect(reasonOf(() => decodeCloudWatchLogsData(data, MAX))).toBe(reason);
  });

  it('turns numeric event ids (moto, older agents) into the same strings on every delivery', () => {
    // Act: the same payload decoded twice, as a redelivered record would be
    const first = decodeCloudWatchLogsData(payloadWithIds(0, 7, 9_007_199_254_740_991), MAX);
    const again = decodeCloudWatchLogsData(payloadWithIds(0, 7, 9_007_199_254_740_991), MAX);
    // Assess
    expect(first.logEvents.map((e) => e.id)).toEqual(['0', '7', '9007199254740991']);
    expect(toInputEvents(again, 'r').map((e) => e.id)).toEqual(['0', '7', '9007199254740991']);
  });

  it('keeps string ids as they are, next to numeric ones', () => {
    const msg = decodeCloudWatchLogsData(
      payloadWithIds('31953106606966983378809025079804211143289615424298221568', 3),
      MAX,
    );
    expect(msg.logEvents.map((e) => e.id)).toEqual([
      '31953106606966983378809025079804211143289615424298221568',
      '3',
    ]);
  });

  it.each([
    ['a fraction', 1.5],
    ['a negative number', -1],
    // An AWS id read as a JSON number has already lost its digits: no string can give it back.
    ['a number past 2^53', 2 ** 60],
    ['null', null],
    ['an object', { n: 1 }],
    ['a boolean', true],
  ])('still rejects an event id that is %s', (_name, id) => {
    expect(reasonOf(() => decodeCloudWatchLogsData(payloadWithIds('1', id), MAX))).toBe('shape');
    expect(() => decodeCloudWatchLogsData(payloadWithIds('1', id), MAX)).toThrow(
      /logEvents\[1\]\.id/,
    );
  });

  it('rejects a non-string payload', () => {
    expect(reasonOf(() => decodeCloudWatchLogsData(42, MAX))).toBe('shape');
  });

  it('caps the decompressed size (zip bomb)', () => {
    // Prepare: 8 MiB of zeros gzips to a few KiB.
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024));
    // Act / Assess
    expect(reasonOf(() => decompress(bomb, 1024 * 1024))).toBe('too_large');
    expect(decompress(bomb, 16 * 1024 * 1024)).toHaveLength(8 * 1024 * 1024);
  });
});
