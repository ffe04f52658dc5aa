import type { FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '#shared/config/file.ts';
import { ConfigError } from '#shared/errors.ts';
import type { Routed } from '#shared/model.ts';
import { backfillLogGroup } from '#shared/ops/backfill.ts';
import { accountOfLogGroupArn, inputsFromPage, parseTimeRange } from '#shared/ops/backfill-plan.ts';
import { createRecordingSinks } from '#shared/sinks/recording.ts';
import type { Sinks } from '#shared/sinks/types.ts';

const T0 = Date.UTC(2025, 10, 20, 10, 0, 0);
const ev = (id: string, stream: string, dt: number, message = `line ${id}`): FilteredLogEvent => ({
  eventId: id,
  logStreamName: stream,
  timestamp: T0 + dt,
  ingestionTime: T0 + dt + 5,
  message,
});

describe('parseTimeRange', () => {
  it('reads ISO dates and times with a zone; a bare date is UTC midnight', () => {
    expect(parseTimeRange('2025-11-20', '2025-11-20T12:00:00+02:00')).toEqual({
      startMs: Date.UTC(2025, 10, 20),
      endMs: Date.UTC(2025, 10, 20, 10),
    });
  });

  it('refuses a time without a zone, garbage, and an empty or backwards range', () => {
    expect(() => parseTimeRange('2025-11-20T10:00:00', '2025-11-21')).toThrow(
      /--start .* has no time zone/,
    );
    expect(() => parseTimeRange('yesterday', '2025-11-21')).toThrow(ConfigError);
    expect(() => parseTimeRange('2025-11-21', '2025-11-20')).toThrow(
      /--end .* must be after --start/,
    );
    expect(() => parseTimeRange(undefined, '2025-11-20')).toThrow(/--start is required/);
  });
});

describe('inputsFromPage', () => {
  it('groups events per log stream in time order, one record per stream, ids kept', () => {
    // Prepare: FilterLogEvents interleaves streams.
    const page = [
      ev('a1', 'web-2', 0),
      ev('b1', 'web-1', 1),
      ev('a2', 'web-2', 2),
      ev('b0', 'web-1', -1),
    ];
    // Act
    const events = inputsFromPage(page, {
      logGroup: '/ecs/web',
      owner: '123456789012',
      region: 'eu-west-1',
    });
    // Assess
    expect(events.map((e) => [e.id, e.recordId])).toEqual([
      ['b0', 'backfill:web-1:b0'],
      ['b1', 'backfill:web-1:b0'],
      ['a1', 'backfill:web-2:a1'],
      ['a2', 'backfill:web-2:a1'],
    ]);
    expect(events[0]).toMatchObject({
      timestamp: T0 - 1,
      message: 'line b0',
      source: {
        logGroup: '/ecs/web',
        logStream: 'web-1',
        owner: '123456789012',
        region: 'eu-west-1',
      },
    });
  });

  it('takes the account from the log group ARN', () => {
    expect(accountOfLogGroupArn('arn:aws:logs:us-east-1:123456789012:log-group:/ecs/web:*')).toBe(
      '123456789012',
    );
    expect(accountOfLogGroupArn(undefined)).toBeUndefined();
  });
});

/** A CloudWatch Logs stand-in serving fixed FilterLogEvents pages. */
function fakeLogs(pages: FilteredLogEvent[][]) {
  const calls: Record<string, unknown>[] = [];
  return {
    calls,
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      calls.push({ command: command.constructor.name, ...command.input });
      if (command.constructor.name === 'DescribeLogGroupsCommand') {
        return {
          logGroups: [
            {
              logGroupName: '/ecs/web',
              arn: 'arn:aws:logs:us-east-1:123456789012:log-group:/ecs/web:*',
            },
          ],
        };
      }
      const i = Number(command.input.nextToken ?? 0);
      return { events: pages[i], nextToken: i + 1 < pages.length ? String(i + 1) : undefined };
    },
  };
}

describe('backfillLogGroup', () => {
  const config = parseConfig({ version: 1 });
  const range = { startMs: T0, endMs: T0 + 60_000 };

  it('follows nextToken through every page, empty ones included, and runs each through the pipeline', async () => {
    // Prepare
    const logs = fakeLogs([[ev('1', 's', 1), ev('2', 's', 2)], [], [ev('3', 's', 3)]]);
    const indexed: Routed[] = [];
    const sinks: Sinks = {
      ...createRecordingSinks(),
      index: {
        index: async (items) => {
          indexed.push(...items);
          return items.map(() => ({ status: 'indexed' as const }));
        },
      },
    };
    const progress: number[] = [];
    // Act
    const report = await backfillLogGroup(logs as never, {
      logGroup: '/ecs/web',
      ...range,
      config,
      sinks,
      onProgress: (p) => progress.push(p.events),
    });
    // Assess
    expect(report).toMatchObject({ pages: 3, events: 3, documents: 3, indexed: 3 });
    expect(report.incomplete).toBeUndefined();
    expect(indexed.map((r) => [r.doc.event.id, r.doc.cloud])).toEqual([
      ['1', { provider: 'aws', account: { id: '123456789012' } }],
      ['2', { provider: 'aws', account: { id: '123456789012' } }],
      ['3', { provider: 'aws', account: { id: '123456789012' } }],
    ]);
    expect(logs.calls.filter((c) => c.command === 'FilterLogEventsCommand')[0]).toMatchObject({
      logGroupName: '/ecs/web',
      startTime: T0,
      endTime: T0 + 60_000,
    });
    expect(progress).toEqual([2, 3]);
  });

  it('retries a page OpenSearch cannot take, then stops and says where to resume', async () => {
    // Prepare: the index sink never succeeds.
    const logs = fakeLogs([[ev('1', 's', 1)], [ev('2', 's', 2), ev('3', 's', 3)]]);
    const recording = createRecordingSinks();
    let calls = 0;
    const sinks: Sinks = {
      ...recording,
      index: {
        index: async (items) => {
          calls++;
          return calls === 1
            ? items.map(() => ({ status: 'indexed' as const }))
            : items.map(() => ({ status: 'retry' as const, error: 'HTTP 503' }));
        },
      },
    };
    // Act
    const report = await backfillLogGroup(logs as never, {
      logGroup: '/ecs/web',
      ...range,
      config,
      sinks,
      batchAttempts: 3,
      sleep: async () => {},
    });
    // Assess
    expect(calls).toBe(4);
    expect(report).toMatchObject({
      events: 1,
      indexed: 1,
      incomplete: { resumeFrom: new Date(T0 + 2).toISOString(), error: 'HTTP 503' },
    });
  });
});
