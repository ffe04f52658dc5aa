import { describe, expect, it } from 'vitest';
import { forwarderChart } from '#bench/chart.ts';
import { lambdaCost, sideCost } from '#bench/cost.ts';
import { forwarderBulkBody } from '#bench/forwarder.ts';

const payload = {
  messageType: 'DATA_MESSAGE',
  owner: '123456789012',
  logGroup: '/ecs/web/nginx',
  logStream: 'web/1',
  logEvents: [
    {
      id: '3672009',
      timestamp: Date.UTC(2025, 10, 20, 23, 59, 59, 999),
      message: 'a "quoted" line',
    },
    { id: '3672010', timestamp: Date.UTC(2025, 10, 21, 0, 0, 0, 1), message: 'next day' },
  ],
};

describe('forwarderBulkBody (the blueprint baseline)', () => {
  it('writes one action and one raw-message document per event, the event id as _id, the day index by UTC', () => {
    const lines = forwarderBulkBody(payload, 'cwl')!
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { index: { _index: 'cwl-2025.11.20', _id: '3672009' } },
      {
        '@id': '3672009',
        '@timestamp': '2025-11-20T23:59:59.999Z',
        '@message': 'a "quoted" line',
        '@owner': '123456789012',
        '@log_group': '/ecs/web/nginx',
        '@log_stream': 'web/1',
      },
      { index: { _index: 'cwl-2025.11.21', _id: '3672010' } },
      expect.objectContaining({ '@timestamp': '2025-11-21T00:00:00.001Z', '@message': 'next day' }),
    ]);
  });

  it('sends nothing for a control message', () => {
    expect(forwarderBulkBody({ ...payload, messageType: 'CONTROL_MESSAGE' }, 'cwl')).toBeNull();
  });
});

describe('cost per GB of log text', () => {
  it('bills the measured duration rounded up to the millisecond, requests and S3 PUTs per invocation', () => {
    // 250 kB of log text an invocation: 4,000 invocations per GB.
    const c = sideCost(
      {
        wallMsPerInvocation: 99.2,
        cpuMsPerInvocation: 20.1,
        logBytesPerInvocation: 250_000,
        putsPerInvocation: 2,
      },
      1024,
    );
    expect(c.invocations_per_gb).toBe(4000);
    expect(c.gb_s_per_gb).toBe(400); // 4,000 × 100 ms × 1 GB
    expect(c.duration_usd_per_gb).toBeCloseTo(400 * 0.0000133334, 5);
    expect(c.request_usd_per_gb).toBeCloseTo(0.0008, 5);
    expect(c.s3_put_usd_per_gb).toBeCloseTo(0.04, 5); // 8,000 PUTs at $0.005 per 1,000
    expect(c.cpu_bound_usd_per_gb).toBeLessThan(c.usd_per_gb);
    const all = lambdaCost(
      {
        nginx: {
          handler: {
            wallMsPerInvocation: 1,
            cpuMsPerInvocation: 1,
            logBytesPerInvocation: 1e6,
            putsPerInvocation: 0,
          },
          baseline: {
            wallMsPerInvocation: 1,
            cpuMsPerInvocation: 1,
            logBytesPerInvocation: 1e6,
            putsPerInvocation: 0,
          },
        },
      },
      1769,
    );
    expect(all.assumptions.join(' ')).toMatch(/1769 MB/);
    expect(all.firehose_usd_per_gb).toBeGreaterThan(0);
  });
});

describe('forwarderChart', () => {
  it('draws a bar per side and ceiling for each corpus, and the CPU target as a line', () => {
    const figures = {
      handler_docs_per_s: 9000,
      baseline_docs_per_s: 8000,
      ratio: 1.125,
      handler_cpu_us_per_event: 14,
      baseline_cpu_us_per_event: 10,
      handler_peak_rss_mb: 120,
      baseline_peak_rss_mb: 80,
      handler_store_bytes_per_doc: 500,
      baseline_store_bytes_per_doc: 700,
      opensearch_cpu_ms_per_1000_docs: { handler: 40, baseline: 35 },
    };
    const svg = forwarderChart(
      {
        figures: { nginx: figures, json: figures },
        details: {
          nginx: {
            handler_ceiling_docs_per_s: 12000,
            baseline_ceiling_docs_per_s: 11000,
            handler_ceiling_cpu_us_per_event: 1,
            baseline_ceiling_cpu_us_per_event: 2,
          } as never,
        },
      },
      { nginx: 12, json: 15 },
      'run <quick> & shared',
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<rect x=/g)?.length).toBe(2 * 2 * 4 + 4); // bars of both panels, legend
    expect(svg).toContain('target ≤ 12');
    expect(svg).toContain('target ≤ 15');
    expect(svg).toContain('run &lt;quick&gt; &amp; shared');
    expect(svg).toContain('<title>nginx handler: 9,000 docs/s</title>');
  });
});
