import { describe, expect, it } from 'vitest';
import { ThrottledError } from '#shared/errors.ts';
import { isThrottle, withThrottleRetry } from '#shared/ops/throttle.ts';

function awsError(name: string, status = 400): Error {
  return Object.assign(new Error(`${name}: Rate exceeded`), {
    name,
    $metadata: { httpStatusCode: status },
  });
}

describe('withThrottleRetry', () => {
  it('waits longer after each throttle and returns the first answer', async () => {
    // Prepare
    const delays: number[] = [];
    let calls = 0;
    const fn = async () => {
      calls++;
      if (calls < 4) throw awsError(calls % 2 ? 'ThrottlingException' : 'LimitExceededException');
      return 'ok';
    };
    // Act
    const out = await withThrottleRetry('Op', fn, {
      sleep: async (ms) => void delays.push(ms),
      random: () => 0,
      baseMs: 100,
    });
    // Assess
    expect(out).toBe('ok');
    expect(calls).toBe(4);
    expect(delays).toEqual([50, 100, 200]);
  });

  it('gives up with a ThrottledError naming the operation, the last throttle as cause', async () => {
    const last = awsError('ThrottlingException');
    const run = withThrottleRetry('PutSubscriptionFilter', () => Promise.reject(last), {
      attempts: 3,
      sleep: async () => {},
    });
    await expect(run).rejects.toThrow(ThrottledError);
    await expect(run).rejects.toMatchObject({ operation: 'PutSubscriptionFilter', cause: last });
  });

  it('passes any other error through at once', async () => {
    let calls = 0;
    const run = withThrottleRetry('Op', () => {
      calls++;
      return Promise.reject(awsError('AccessDeniedException'));
    });
    await expect(run).rejects.toThrow(/AccessDeniedException/);
    expect(calls).toBe(1);
  });

  it('knows throttles by name or by HTTP 429', () => {
    expect(isThrottle(awsError('SomethingElse', 429))).toBe(true);
    expect(isThrottle(awsError('InvalidParameterException'))).toBe(false);
  });
});
