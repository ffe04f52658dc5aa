import { describe, expect, it } from 'vitest';
import { growth } from '#test/helpers/linear-time.ts';

describe('growth', () => {
  it('tells a linear scan from a backtracking regex', { timeout: 30_000 }, () => {
    // Prepare: one regex that scans once, one that retries from every position (quadratic).
    const linear = (s: string) => /x:\/\/[^@\s]*@/.test(s);
    const quadratic = (s: string) => /\s*\S+\s*=/.test(s);

    // Act
    const lin = growth((n) => `${'a.'.repeat(n)} x://y@`, linear, { n: 8192, attempts: 3 });
    const quad = growth((n) => ' '.repeat(n), quadratic, { n: 1024 });

    // Assess: time grows with the scale for the first, with its square for the second.
    expect(lin.ratio).toBeLessThan(lin.scale * 2.5);
    expect(quad.ratio).toBeGreaterThan(quad.scale * 2.5);
  });
});
