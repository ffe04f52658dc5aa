import { describe, expect, it } from 'vitest';
import { parseConfig } from '#shared/config/file.ts';
import { toInputEvents } from '#shared/decode/cloudwatch-logs.ts';
import { runBatch } from '#shared/pipeline/deliver.ts';
import { recordsToRetry } from '#shared/pipeline/outcome.ts';
import { createRecordingSinks } from '#shared/sinks/recording.ts';
import type { IndexResult } from '#shared/sinks/types.ts';
import { loadMessage } from '#test/helpers/events.ts';

const config = parseConfig({ version: 1 });
const deadline = () => Date.now() + 10_000;

describe('runBatch', () => {
  it('routes every event to its daily index and archives it under a deterministic key', async () => {
    // Prepare
    const events = [
      ...toInputEvents(loadMessage('nginx-access'), 'a'),
      ...toInputEvents(loadMessage('app-json'), 'b'),
    ];
    const sinks = createRecordingSinks();
    // Act
    const report = await runBatch(events, [], { config, sinks }, deadline());
    const again = await runBatch(events, [], { config, sinks: createRecordingSinks() }, deadline());
    // Assess
    expect(report.indexed).toBe(10);
    expect(report.indices).toEqual({
      'logs-access-2025.11.20': 6,
      'logs-application-2025.11.20': 3,
      'logs-error-2025.11.20': 1,
    });
    expect(report.archiveKeys).toHaveLength(3);
    expect(
      report.archiveKeys.every((k) =>
        /^archive\/log_type=\w+\/dt=2025-11-20\/hour=10\/ecs-(web-nginx|orders-api)\/[0-9a-f]{32}\.ndjson\.gz$/.test(
          k,
        ),
      ),
    ).toBe(true);
    expect(again.archiveKeys).toEqual(report.archiveKeys);
    expect([...report.outcomes.values()]).toEqual(['ok', 'ok']);
  });

  it('reports the record for retry when OpenSearch keeps failing, and never as delivered', async () => {
    const sinks = createRecordingSinks();
    sinks.index = {
      index: async (items) =>
        items.map((): IndexResult => ({ status: 'retry', error: 'HTTP 503' })),
    };
    const report = await runBatch(
      toInputEvents(loadMessage('app-json'), 'r1'),
      [],
      { config, sinks },
      deadline(),
    );
    expect(report.indexed).toBe(0);
    expect(report.pending).toBe(4);
    expect(recordsToRetry(report)).toEqual(['r1']);
  });

  it('retries the record when its archive object cannot be written', async () => {
    const sinks = createRecordingSinks();
    sinks.archive = {
      archive: async (objects) => ({
        written: [],
        failed: objects.map((o) => ({ key: o.key, error: 'S3 500' })),
      }),
    };
    const report = await runBatch(
      toInputEvents(loadMessage('app-json'), 'r1'),
      [],
      { config, sinks },
      deadline(),
    );
    expect(report.indexed).toBe(4);
    expect(recordsToRetry(report)).toEqual(['r1']);
    expect(report.errors).toContain('S3 500');
  });

  it('counts a degraded document as indexed and dead-letters its original', async () => {
    const sinks = createRecordingSinks();
    sinks.index = {
      index: async (items) =>
        items.map(
          (_, i): IndexResult =>
            i === 0
              ? { status: 'degraded', error: 'mapper_parsing_exception', statusCode: 400 }
              : { status: 'indexed' },
        ),
    };
    const report = await runBatch(
      toInputEvents(loadMessage('app-json'), 'r1'),
      [],
      { config, sinks },
      deadline(),
    );
    expect(report).toMatchObject({ indexed: 4, degraded: 1, deadLettered: 1, pending: 0 });
    expect(sinks.deadLetters[0]!.entries[0]).toMatchObject({
      reason: 'mapping_degraded',
      recordId: 'r1',
    });
    expect(recordsToRetry(report)).toEqual([]);
  });

  it('dead-letters documents OpenSearch rejects for good, and acknowledges them', async () => {
    const sinks = createRecordingSinks();
    sinks.index = {
      index: async (items) =>
        items.map(
          (_, i): IndexResult =>
            i === 0
              ? { status: 'rejected', error: 'mapper_parsing_exception', statusCode: 400 }
              : { status: 'indexed' },
        ),
    };
    const report = await runBatch(
      toInputEvents(loadMessage('app-json'), 'r1'),
      [],
      { config, sinks },
      deadline(),
    );
    expect(report.indexed).toBe(3);
    expect(report.deadLettered).toBe(1);
    expect(sinks.deadLetters[0]!.entries[0]).toMatchObject({
      reason: 'rejected',
      recordId: 'r1',
      document: { event: { id: loadMessage('app-json').logEvents[0]!.id } },
    });
    expect(report.outcomes.get('r1')).toBe('dead-letter');
    expect(recordsToRetry(report)).toEqual([]);
  });

  it('retries instead of acknowledging when the dead-letter write fails', async () => {
    const sinks = createRecordingSinks();
    sinks.deadLetter = {
      write: async () => {
        throw new Error('S3 unreachable');
      },
    };
    const report = await runBatch(
      [],
      [{ recordId: 'bad', error: 'not gzip', reason: 'decode_gzip', raw: 'xx' }],
      { config, sinks },
      deadline(),
    );
    expect(recordsToRetry(report)).toEqual(['bad']);
  });
});
