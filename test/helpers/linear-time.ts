// Tells a linear-time function from a super-linear one by how its run time grows with the input.
import { performance } from 'node:perf_hooks';

export interface GrowthReport {
  /** Input sizes tried, smallest first. */
  sizes: number[];
  /** Best (lowest) time of the runs at each size, in milliseconds. */
  ms: number[];
  /** Time at the largest size over time at the smallest. */
  ratio: number;
  /** Largest size over smallest size. */
  scale: number;
}

function best(run: () => void, repeats: number): number {
  let min = Number.POSITIVE_INFINITY;
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    run();
    min = Math.min(min, performance.now() - start);
  }
  return min;
}

/**
 * Times `fn` on inputs made by `make(n)` at n and at `scale`·n (best of `repeats` runs each, after a
 * warm-up), so a caller can assert `ratio` stays near `scale` (linear) and far from `scale²`
 * (quadratic). The best run is the one least disturbed by other work on a busy machine; a ratio is
 * used rather than a time so the check holds on slow and fast machines alike.
 *
 * @example
 * const g = growth((n) => 'a.'.repeat(n), (line) => redact(line), { n: 16_384, attempts: 3 });
 * expect(g.ratio).toBeLessThan(g.scale * 2.5); // quadratic would be ~scale²
 */
export function growth<T>(
  make: (n: number) => T,
  fn: (input: T) => unknown,
  opts: { n: number; scale?: number; repeats?: number; attempts?: number },
): GrowthReport {
  // A busy machine can slow the large run alone; a super-linear function is slow in every attempt,
  // so the lowest ratio of a few attempts still tells them apart.
  let best: GrowthReport | undefined;
  for (let a = 0; a < (opts.attempts ?? 1); a++) {
    const g = measure(make, fn, opts);
    if (!best || g.ratio < best.ratio) best = g;
    if (best.ratio < best.scale * 2) break;
  }
  return best!;
}

function measure<T>(
  make: (n: number) => T,
  fn: (input: T) => unknown,
  opts: { n: number; scale?: number; repeats?: number },
): GrowthReport {
  const scale = opts.scale ?? 8;
  const repeats = opts.repeats ?? 3;
  const small = make(opts.n);
  const large = make(opts.n * scale);
  fn(small);
  fn(large);
  // Too fast to time at the small size: grow both until the small one takes a measurable while.
  let inner = 1;
  while (best(() => fn(small), 1) * inner < 2 && inner < 1 << 12) inner *= 2;
  const loop = (input: T) => () => {
    for (let i = 0; i < inner; i++) fn(input);
  };
  const msSmall = best(loop(small), repeats);
  const msLarge = best(loop(large), repeats);
  return {
    sizes: [opts.n, opts.n * scale],
    ms: [msSmall, msLarge],
    ratio: msLarge / Math.max(msSmall, 1e-3),
    scale,
  };
}
