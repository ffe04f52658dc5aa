import { describe, expect, it } from 'vitest';
import { groupMatches, topFrame } from '#shared/alerts/group.ts';
import { compileAlertRules } from '#shared/alerts/rules.ts';
import { configWith, jsonError, routedOf } from '#test/helpers/alerts.ts';

const rules = compileAlertRules(configWith({ rules: [{ name: 'errors' }] }).alerts);
const stack =
  'PaymentDeclinedError: card declined\n    at charge (/app/dist/payments.js:88:11)\n    at async createOrder (/app/dist/orders.js:41:5)';

describe('groupMatches', () => {
  it('groups two occurrences of one error (other ids inside) with count, times, streams and a sample', () => {
    // Prepare
    const lines = [
      jsonError(
        'payment failed for order ord_8f3a2c',
        { type: 'PaymentDeclinedError', message: 'card declined', stack },
        '2025-11-20T10:00:07.000Z',
      ),
      JSON.stringify({ level: 30, msg: 'order created' }),
      jsonError(
        'payment failed for order ord_99ab01',
        { type: 'PaymentDeclinedError', message: 'card declined', stack },
        '2025-11-20T10:00:09.500Z',
      ),
      jsonError('disk full on /dev/xvda1'),
    ];
    // Act
    const groups = groupMatches(
      routedOf(lines, { group: '/ecs/orders-api', stream: 'orders/app/1' }),
      rules,
    );
    // Assess
    expect(groups).toHaveLength(2);
    const [payment, disk] = groups;
    expect(payment).toMatchObject({
      count: 2,
      first: Date.parse('2025-11-20T10:00:07.000Z'),
      last: Date.parse('2025-11-20T10:00:09.500Z'),
      windowStart: Date.parse('2025-11-20T10:00:00.000Z'),
      logGroup: '/ecs/orders-api',
      logStreams: ['orders/app/1'],
      errorType: 'PaymentDeclinedError',
      topFrame: 'at charge (/app/dist/payments.js:88:11)',
      message: 'payment failed for order ord_8f3a2c',
      region: 'eu-west-1',
    });
    expect(payment!.sample).toContain('ord_8f3a2c');
    expect(payment!.id).toBe(`errors:${payment!.fingerprint}:2025-11-20T10:00:00.000Z`);
    expect(payment!.eventIds).toHaveLength(2);
    expect(disk).toMatchObject({ count: 1 });
    expect(disk!.fingerprint).not.toBe(payment!.fingerprint);
  });

  it('gives a redelivered batch the same ids, and the next window a new one', () => {
    const line = (t: string) => [jsonError('queue 42 stalled', undefined, t)];
    const a = groupMatches(routedOf(line('2025-11-20T10:01:00.000Z')), rules)[0]!;
    const again = groupMatches(routedOf(line('2025-11-20T10:01:00.000Z')), rules)[0]!;
    const sameWindow = groupMatches(
      routedOf([jsonError('queue 43 stalled', undefined, '2025-11-20T10:09:59.000Z')]),
      rules,
    )[0]!;
    const next = groupMatches(routedOf(line('2025-11-20T10:10:00.000Z')), rules)[0]!;
    expect(again.id).toBe(a.id);
    expect(sameWindow.id).toBe(a.id);
    expect(next.id).not.toBe(a.id);
    expect(next.fingerprint).toBe(a.fingerprint);
  });

  it('finds nothing when no rule matches, and does no work without rules', () => {
    expect(groupMatches(routedOf([JSON.stringify({ level: 30, msg: 'ok' })]), rules)).toEqual([]);
    expect(groupMatches(routedOf([jsonError('x')]), [])).toEqual([]);
  });
});

describe('topFrame', () => {
  it('takes the first frame of Java and Node traces', () => {
    expect(topFrame(stack)).toBe('at charge (/app/dist/payments.js:88:11)');
    expect(
      topFrame(
        'java.lang.NullPointerException: x\n\tat com.shop.Cart.total(Cart.java:42)\n\tat com.shop.Api.get(Api.java:7)',
      ),
    ).toBe('at com.shop.Cart.total(Cart.java:42)');
  });

  it('takes the innermost (last) frame of a Python traceback', () => {
    const py =
      'Traceback (most recent call last):\n  File "/app/main.py", line 10, in <module>\n    run()\n  File "/app/jobs.py", line 3, in run\n    1/0\nZeroDivisionError: division by zero';
    expect(topFrame(py)).toBe('File "/app/jobs.py", line 3, in run');
  });

  it('takes the first function of a Go goroutine dump, with its file', () => {
    const go =
      'panic: boom\n\ngoroutine 1 [running]:\nmain.handle(0xc000010000)\n\t/src/app/main.go:27 +0x1d\nmain.main()\n\t/src/app/main.go:12 +0x25';
    expect(topFrame(go)).toBe('main.handle(0xc000010000) /src/app/main.go:27');
  });

  it('is undefined without a trace', () => {
    expect(topFrame(undefined)).toBeUndefined();
    expect(topFrame('just a message')).toBeUndefined();
  });
});
