import { describe, expect, it } from 'vitest';
import { parseLine } from '#shared/parse/index.ts';
import type { ParseContext } from '#shared/parse/types.ts';

const ctx: ParseContext = {
  eventTime: Date.UTC(2025, 10, 20),
  source: { logGroup: '/aws/lambda/fn' },
};
const RID = '6f7e2b1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b';

describe('AWS Lambda lines', () => {
  it('parses REPORT into typed aws.lambda figures and its duration in nanoseconds', () => {
    const p = parseLine(
      `REPORT RequestId: ${RID}\tDuration: 40.91 ms\tBilled Duration: 41 ms\tMemory Size: 512 MB\tMax Memory Used: 88 MB`,
      ctx,
    );
    expect(p.dataset).toBe('aws.lambda');
    expect(p.fields).toEqual({
      event: { action: 'report', duration: 40_910_000 },
      faas: { execution: RID },
      aws: {
        lambda: {
          duration_ms: 40.91,
          billed_duration_ms: 41,
          memory_size_mb: 512,
          max_memory_used_mb: 88,
        },
      },
    });
    expect(p.app).toBeUndefined();
  });

  it('a cold start reports its init duration and faas.coldstart; a timeout is an error', () => {
    const p = parseLine(
      `REPORT RequestId: ${RID}\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB\tInit Duration: 210.55 ms\tStatus: timeout`,
      ctx,
    );
    expect(p.level).toBe('error');
    expect(p.fields?.faas).toEqual({ execution: RID, coldstart: true });
    expect(p.fields?.aws).toMatchObject({
      lambda: { init_duration_ms: 210.55, status: 'timeout' },
    });
  });

  it('the JSON log format platform.report gives the same typed figures', () => {
    const line = JSON.stringify({
      time: '2025-11-20T10:00:08.030Z',
      type: 'platform.report',
      record: {
        requestId: RID,
        metrics: {
          durationMs: 12.5,
          billedDurationMs: 13,
          memorySizeMB: 256,
          maxMemoryUsedMB: 70,
          initDurationMs: 99.1,
        },
        status: 'success',
      },
    });
    const p = parseLine(line, ctx);
    expect(p.fields?.aws).toEqual({
      lambda: {
        duration_ms: 12.5,
        billed_duration_ms: 13,
        memory_size_mb: 256,
        max_memory_used_mb: 70,
        init_duration_ms: 99.1,
      },
    });
    expect(p.fields?.event).toMatchObject({ duration: 12_500_000 });
    expect(p.app).toEqual({ status: 'success' });
  });

  it('parses Node runtime lines whose message is JSON', () => {
    const p = parseLine(
      `2025-11-20T10:00:08.030Z\t${RID}\tERROR\t{"errorType":"TypeError","errorMessage":"boom","stack":["TypeError: boom","    at h (/var/task/index.js:1:1)"]}`,
      ctx,
    );
    expect(p.level).toBe('error');
    expect(p.time).toBe(Date.UTC(2025, 10, 20, 10, 0, 8, 30));
    expect(p.fields?.error).toEqual({
      type: 'TypeError',
      message: 'boom',
      stack_trace: 'TypeError: boom\n    at h (/var/task/index.js:1:1)',
    });
  });

  it('parses Python runtime lines', () => {
    const p = parseLine(`[WARNING]\t2025-11-20T10:00:08.030Z\t${RID}\tdisk almost full`, ctx);
    expect(p).toMatchObject({ dataset: 'aws.lambda', level: 'warn', message: 'disk almost full' });
  });

  it("reads Lambda's JSON log format as aws.lambda in a function's log group, and as app.json elsewhere", () => {
    // Prepare
    const line = `{"timestamp":"2025-11-20T10:00:10.000Z","level":"ERROR","requestId":"${RID}","message":"charge failed"}`;
    // Act
    const inLambda = parseLine(line, ctx);
    const elsewhere = parseLine(line, { ...ctx, source: { logGroup: '/ecs/web' } });
    // Assess
    expect(inLambda).toMatchObject({
      dataset: 'aws.lambda',
      level: 'error',
      message: 'charge failed',
      fields: { faas: { execution: RID } },
    });
    expect(inLambda.app).toBeUndefined();
    expect(elsewhere).toMatchObject({ dataset: 'app.json', app: { requestId: RID } });
  });

  it('tells platform words at the start of ordinary text from platform lines', () => {
    for (const text of ['LOGS rotated at midnight', 'XRAY machine offline', 'EXTENSION missing'])
      expect([text, parseLine(text, ctx).dataset]).toEqual([text, 'text']);
    expect(parseLine('EXTENSION\tName: agent\tState: Ready\tEvents: [INVOKE]', ctx)).toMatchObject({
      dataset: 'aws.lambda',
      fields: { event: { action: 'extension' } },
      app: { name: 'agent', state: 'Ready' },
    });
  });
});
