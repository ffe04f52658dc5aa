// Conversions of a declared format's raw values to typed ones (numbers, units, lists, flags), each with a digits-only twin.

/** Converts a raw value, or undefined when it is not of the type (then nothing is written). */
export type Conv = ((value: string) => unknown) & {
  /** The same conversion for a value of 1-15 ASCII digits, given as its number. */
  ofDigits?: (n: number) => unknown;
};

/**
 * `fn` with its digits-only twin, for a scanner that reads digits from the line itself.
 *
 * @example
 * const int = withDigits((v: string) => Number(v), (n: number) => n);
 */
export function withDigits<F extends object, D>(fn: F, ofDigits: D): F & { ofDigits: D } {
  return Object.assign(fn, { ofDigits });
}
export const same = (n: number) => n;

/** A string as is. */
export const str: Conv = (v) => v;

/** True when `v[from, to)` is one or more ASCII digits. */
function isDigits(v: string, from: number, to = v.length): boolean {
  if (from >= to) return false;
  for (let i = from; i < to; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** A signed integer (`-1`, `+3` as HAProxy writes them). */
export const int: Conv = withDigits((v: string) => {
  const c = v.charCodeAt(0);
  if (!isDigits(v, c === 0x2b || c === 0x2d ? 1 : 0) || v.length > 15) return undefined;
  return Number(c === 0x2b ? v.slice(1) : v);
}, same);

/** A non-negative decimal number. */
export const num: Conv = withDigits((v: string) => {
  const dot = v.indexOf('.');
  if (dot < 0 ? !isDigits(v, 0) : dot === 0 || !isDigits(v, dot + 1) || !isDigits(v, 0, dot))
    return undefined;
  // Up to 15 digits make an exact integer, and one division by an exact power of ten rounds as
  // Number() does: no string-to-number parse for the usual `0.052`.
  if (v.length <= 16) {
    let m = 0;
    for (let i = 0; i < v.length; i++) if (i !== dot) m = m * 10 + v.charCodeAt(i) - 0x30;
    return dot < 0 ? m : m / POW10[v.length - dot - 1]!;
  }
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}, same);

const POW10 = Array.from({ length: 16 }, (_, k) => 10 ** k);

/** A HAProxy timer in ms: `-1` (never reached) is absent, `+` (logasap) is dropped. */
export const haproxyMs: Conv = withDigits((v: string) => {
  const n = int(v) as number | undefined;
  return n === undefined || n < 0 ? undefined : n;
}, same);

/**
 * nginx's per-upstream lists (`0.010, 0.020 : 0.005`: commas between servers of a group, colons
 * between groups after an internal redirect), one converted value per attempt; a single attempt
 * stays a scalar.
 */
export function list(conv: Conv): Conv {
  return (v) => {
    if (!v.includes(',') && !v.includes(' : ')) return conv(v);
    const out: unknown[] = [];
    for (const group of v.split(' : '))
      for (const part of group.split(',')) {
        const p = part.trim();
        const c = p && p !== '-' ? conv(p) : undefined;
        if (c !== undefined) out.push(c);
      }
    return out.length ? out : undefined;
  };
}

/** A word for true (`on`, `p`, `r`, `OK`, `1`, `true`, `yes`); anything else is false. */
export function flag(...truthy: string[]): Conv {
  const yes = new Set(truthy);
  return (v) => yes.has(v);
}

/**
 * A HAProxy timer in ms as ECS nanoseconds (`-1` is absent).
 *
 * @example
 * haproxyMsToNs('15') // 15000000
 */
export const haproxyMsToNs: Conv = withDigits(
  (v: string) => {
    const ms = haproxyMs(v) as number | undefined;
    return ms === undefined ? undefined : ms * 1e6;
  },
  (n: number) => n * 1e6,
);
