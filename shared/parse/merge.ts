// Deep merge of nested ECS field objects, used where two parsers describe one line (syslog header + body).
import type { Fields } from '#shared/model.ts';

function isPlainObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object at `obj[key]`, created empty when absent, for building nested fields step by step. */
export function child(obj: Fields, key: string): Fields {
  const existing = obj[key];
  if (isPlainObject(existing)) return existing;
  const created: Fields = {};
  obj[key] = created;
  return created;
}

/**
 * Sets an own property even for the key `__proto__`, which plain assignment would turn into a
 * prototype change: keys from log lines are untrusted.
 */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(obj, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  else obj[key] = value;
}

/**
 * Merges `src` into `dst` in place, recursing into objects; `src` wins on leaves. Objects from `src`
 * are copied, so later merges never write into the caller's values.
 *
 * @example
 * mergeFields({ http: { version: '1.1' } }, { http: { request: { method: 'GET' } } })
 * // { http: { version: '1.1', request: { method: 'GET' } } }
 */
export function mergeFields(dst: Fields, src: Fields): Fields {
  for (const key of Object.keys(src)) {
    const value = src[key];
    if (value === undefined) continue;
    const existing = Object.hasOwn(dst, key) ? dst[key] : undefined;
    if (isPlainObject(value) && isPlainObject(existing)) mergeFields(existing, value);
    else setOwn(dst, key, isPlainObject(value) ? mergeFields({}, value) : value);
  }
  return dst;
}
