import { describe, expect, it } from 'vitest';
import { toInputEvents } from '#shared/decode/cloudwatch-logs.ts';
import type { Routed } from '#shared/model.ts';
import { runBatch } from '#shared/pipeline/deliver.ts';
import { createRecordingSinks } from '#shared/sinks/recording.ts';
import type { IndexResult } from '#shared/sinks/types.ts';
import { emptyAlertCounts } from '#shared/sinks/types.ts';
import { configWith, jsonError } from '#test/helpers/alerts.ts';
import { messageOf } from '#test/helpers/events.ts';

const config = configWith({ rules: [{ name: 'errors' }] });

function alertSpy() {
  const seen: Routed[][] = [];
  return {
    seen,
    alert: async (items: readonly Routed[]) => {
      seen.push([...items]);
      return { ...emptyAlertCounts(), matched: items.length, sent: 1 };
    },
  };
}

describe('the alert stage in runBatch', () => {
  it('runs after delivery on the documents of delivered records, and reports its counts', async () => {
    const sinks = { ...createRecordingSinks(), alert: alertSpy() };
    const events = toInputEvents(messageOf([jsonError('boom'), jsonError('bang')]), 'r1');
    const report = await runBatch(events, [], { config, sinks }, Date.now() + 5000);
    expect(sinks.alert.seen).toHaveLength(1);
    expect(sinks.alert.seen[0]).toHaveLength(2);
    expect(report.alerts).toMatchObject({ matched: 2, sent: 1 });
  });

  it('leaves out records AWS will redeliver: they alert when they are finally delivered', async () => {
    const sinks = { ...createRecordingSinks(), alert: alertSpy() };
    sinks.index = {
      index: async (items) =>
        items.map((): IndexResult => ({ status: 'retry', error: 'HTTP 503' })),
    };
    const events = [...toInputEvents(messageOf([jsonError('boom')], { seed: 'a' }), 'retried')];
    const report = await runBatch(events, [], { config, sinks }, Date.now() + 5000);
    expect(sinks.alert.seen).toEqual([[]]);
    expect(report.pending).toBe(1);
  });

  it('alerts on dead-lettered documents too', async () => {
    const sinks = { ...createRecordingSinks(), alert: alertSpy() };
    sinks.index = {
      index: async (items) =>
        items.map(
          (): IndexResult => ({
            status: 'rejected',
            error: 'mapper_parsing_exception',
            statusCode: 400,
          }),
        ),
    };
    const report = await runBatch(
      toInputEvents(messageOf([jsonError('boom')]), 'r1'),
      [],
      { config, sinks },
      Date.now() + 5000,
    );
    expect(report.deadLettered).toBe(1);
    expect(sinks.alert.seen[0]).toHaveLength(1);
  });

  it('never fails the batch when the alert sink throws', async () => {
    const sinks = {
      ...createRecordingSinks(),
      alert: {
        alert: async (): Promise<never> => {
          throw new Error('slack exploded');
        },
      },
    };
    const report = await runBatch(
      toInputEvents(messageOf([jsonError('boom')]), 'r1'),
      [],
      { config, sinks },
      Date.now() + 5000,
    );
    expect(report.indexed).toBe(1);
    expect([...report.outcomes.values()]).toEqual(['ok']);
    expect(report.alerts.errors).toEqual(['alert stage failed: slack exploded']);
  });
});
