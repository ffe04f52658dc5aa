import { describe, expect, it } from 'vitest';
import { parseConfig } from '#shared/config/file.ts';
import type { InputEvent } from '#shared/model.ts';
import { getPath } from '#shared/transform/drop.ts';
import { transformEvents } from '#shared/transform/transform-events.ts';

function events(lines: string[], group: string): InputEvent[] {
  return lines.map((message, i) => ({
    id: `e${i}`,
    timestamp: Date.UTC(2025, 10, 20, 10),
    message,
    source: { logGroup: group, logStream: 's' },
    recordId: 'r',
  }));
}

const ACCESS = [
  '10.0.0.1 - - [20/Nov/2025:10:00:00 +0000] "GET /health HTTP/1.1" 200 2 "-" "ELB-HealthChecker/2.0"',
  '10.0.0.2 - - [20/Nov/2025:10:00:00 +0000] "GET /api/orders HTTP/1.1" 200 20 "-" "curl/8.5.0"',
  '10.0.0.3 - - [20/Nov/2025:10:00:00 +0000] "GET /healthz HTTP/1.1" 200 2 "-" "kube-probe/1.29"',
  '{"level":20,"msg":"debug noise"}',
];

describe('drop rules', () => {
  it('drops by dataset and field regex, by field value, and counts each by rule name', () => {
    // Prepare
    const config = parseConfig({
      version: 1,
      routes: [
        {
          name: 'web',
          match: { log_group: '/ecs/web' },
          drop: [
            {
              name: 'health-checks',
              dataset: ['nginx.access', 'apache.access'],
              field: 'url.original',
              regex: '^/health',
            },
          ],
        },
      ],
      drop: [{ name: 'debug', field: 'log.level', equals: ['debug', 'trace'] }],
    });
    // Act
    const { routed, stats } = transformEvents(events(ACCESS, '/ecs/web'), config);
    // Assess
    expect(routed.map((r) => r.doc.event.id)).toEqual(['e1']);
    expect(stats.dropped).toEqual({ 'health-checks': 2, debug: 1 });
  });

  it('a rule with no condition drops a whole route, like a Fluentd null match on health**', () => {
    const config = parseConfig({
      version: 1,
      routes: [
        { name: 'health', match: { log_group: 'health**' }, drop: [{ name: 'health-null' }] },
      ],
    });
    const { routed, stats } = transformEvents(
      [...events(ACCESS, 'health/checks'), ...events(['kept'], '/other')],
      config,
    );
    expect(routed.map((r) => r.doc.message)).toEqual(['kept']);
    expect(stats).toMatchObject({ dropped: { 'health-null': 4 }, unmatched: 1 });
  });

  it('matches a regex on the message by default, and counts a merged trace as all its events', () => {
    const config = parseConfig({ version: 1, drop: [{ name: 'noisy', regex: 'Request failed' }] });
    const lines = [
      '2025-11-20 10:00:00.000 [x] ERROR a.B - Request failed',
      'java.lang.X: y',
      '\tat a.B.c(B.java:1)',
      'next',
    ];
    const { routed, stats } = transformEvents(events(lines, '/g'), config);
    expect(routed.map((r) => r.doc.message)).toEqual(['next']);
    expect(stats.dropped).toEqual({ noisy: 3 });
  });

  it('finds dotted keys inside app', () => {
    expect(getPath({ app: { 'ecs.version': '1' } }, 'app.ecs.version')).toBe('1');
    expect(getPath({ http: { response: { status_code: 200 } } }, 'http.response.status_code')).toBe(
      200,
    );
  });
});
