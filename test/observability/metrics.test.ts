import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMetrics, recordBatchMetrics } from '#shared/observability/metrics.ts';

const summary = {
  events: 12,
  documents: 10,
  indexed: 9,
  deadLettered: 1,
  retry: 0,
  dropped: { healthchecks: 2, debug: 0 },
  oldestEventTime: Date.UTC(2025, 10, 20, 10, 0, 0),
  indexMs: 42,
};

afterEach(() => vi.restoreAllMocks());

describe('recordBatchMetrics', () => {
  it('emits the batch counts, latency and age under service and stage', () => {
    // Prepare
    const metrics = createMetrics({ stage: 'test' });
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    // Act
    recordBatchMetrics(metrics, summary, Date.UTC(2025, 10, 20, 10, 0, 30));
    const emf = metrics.serializeMetrics();
    // Assess
    const [directive] = emf._aws.CloudWatchMetrics;
    expect(directive?.Namespace).toBe('logferry');
    expect(directive?.Dimensions).toEqual([['service', 'stage']]);
    expect(emf).toMatchObject({
      service: 'logferry',
      stage: 'test',
      EventsIn: 12,
      DocumentsIndexed: 9,
      DeadLettered: 1,
      RecordsRetried: 0,
      DroppedByRule: 2,
      BulkLatency: 42,
      BatchAge: 30_000,
    });
    expect(directive?.Metrics).toContainEqual({ Name: 'BatchAge', Unit: 'Milliseconds' });
    expect(emf).not.toHaveProperty('AlertsSent');
    // The per-rule drop went out at once as its own line, and only for rules that dropped something.
    const lines = out.mock.calls.map(([line]) => JSON.parse(String(line)));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ rule: 'healthchecks', DroppedByRule: 2, stage: 'test' });
  });

  it('adds the alert counts when the summary has them, and no latency for an empty batch', () => {
    const metrics = createMetrics({ stage: 'test' });
    recordBatchMetrics(metrics, {
      ...summary,
      documents: 0,
      dropped: {},
      alerts: { sent: 1, suppressed: 3 },
    });
    const emf = metrics.serializeMetrics();
    expect(emf).toMatchObject({ AlertsSent: 1, AlertsSuppressed: 3, AlertsDropped: 0 });
    expect(emf).not.toHaveProperty('BulkLatency');
  });
});

describe('recordBatchMetrics: records deferred by the batch caps', () => {
  it('counts them apart from the records that failed', () => {
    const metrics = createMetrics({ stage: 'test' });
    recordBatchMetrics(metrics, {
      events: 5,
      documents: 5,
      indexed: 5,
      deadLettered: 0,
      retry: 7,
      deferred: 6,
      indexMs: 1,
    });
    expect(metrics.serializeMetrics()).toMatchObject({ RecordsRetried: 1, RecordsDeferred: 6 });
  });
});
