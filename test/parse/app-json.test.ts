import { describe, expect, it } from 'vitest';
import { parseLine } from '#shared/parse/index.ts';
import type { ParseContext } from '#shared/parse/types.ts';

const ctx: ParseContext = { eventTime: Date.UTC(2025, 10, 20), source: {} };

describe('JSON application logs', () => {
  it('maps pino numeric levels, epoch ms and err objects', () => {
    const p = parseLine(
      '{"level":50,"time":1763632807001,"pid":7,"name":"api","msg":"payment failed","err":{"type":"E","message":"declined","stack":"E: declined\\n    at x"},"orderId":"o1"}',
      ctx,
    );
    expect(p).toMatchObject({
      dataset: 'app.json',
      level: 'error',
      time: 1763632807001,
      message: 'payment failed',
      fields: {
        log: { logger: 'api' },
        process: { pid: 7 },
        error: { type: 'E', message: 'declined', stack_trace: 'E: declined\n    at x' },
      },
      app: { orderId: 'o1' },
    });
  });

  it.each([
    [{ severity: 'WARNING', ts: 1763632807 }, 'warn', 1763632807000],
    [
      { lvl: 'err', timestamp: '2025-11-20T10:00:00.5+01:00' },
      'error',
      Date.UTC(2025, 10, 20, 9, 0, 0, 500),
    ],
    [{ levelname: 'CRITICAL', time: 1763632807123456 }, 'fatal', 1763632807123],
    [
      { level: 'Info', '@timestamp': '2025-11-20 10:00:00,250' },
      'info',
      Date.UTC(2025, 10, 20, 10, 0, 0, 250),
    ],
  ])('normalises %j', (obj, level, time) => {
    const p = parseLine(JSON.stringify({ ...obj, message: 'm' }), ctx);
    expect(p.level).toBe(level);
    expect(p.time).toBe(time);
  });

  it('keeps an unparseable time field in app instead of losing it', () => {
    const p = parseLine('{"time":"yesterday","msg":"x"}', ctx);
    expect(p.time).toBeUndefined();
    expect(p.app).toEqual({ time: 'yesterday' });
  });

  it('treats broken JSON as text', () => {
    const p = parseLine('{"level":30,"msg":', ctx);
    expect(p.dataset).toBe('text');
    expect(p.message).toBe('{"level":30,"msg":');
  });
});
