import { describe, expect, it } from 'vitest';
import { parseLine } from '#shared/parse/index.ts';
import type { ParseContext } from '#shared/parse/types.ts';

const ctx: ParseContext = {
  eventTime: Date.UTC(2025, 10, 20),
  source: { logGroup: '/aws/lambda/fn' },
};
const RID = '6f7e2b1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b';

describe('AWS Lambda lines', () => {
  it('parses REPORT with its duration in nanoseconds', () => {
    const p = parseLine(
      `REPORT RequestId: ${RID}\tDuration: 40.91 ms\tBilled Duration: 41 ms\tMemory Size: 512 MB\tMax Memory Used: 88 MB`,
      ctx,
    );
    expect(p.dataset).toBe('aws.lambda');
    expect(p.fields).toMatchObject({
      event: { action: 'report', duration: 40_910_000 },
      faas: { execution: RID },
    });
    expect(p.app).toMatchObject({ max_memory_used: 88, billed_duration: 41 });
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
});
