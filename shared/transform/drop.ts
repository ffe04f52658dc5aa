// Drop rules (health checks, noise): decides from a document whether to drop it and under which rule name it is counted.
import { compileLinearRegex } from '#shared/linear-regex.ts';
import type { Dataset } from '#shared/model.ts';

/** One rule as written in logferry.yml; every condition given must hold (a rule with none drops everything). */
export interface DropRule {
  name: string;
  dataset?: Dataset | Dataset[];
  /** Dotted path into the document, e.g. `url.original`, `http.response.status_code`; `message` by default. */
  field?: string;
  equals?: string | number | boolean | (string | number | boolean)[];
  regex?: string;
}

/** A compiled rule: `matches` is pure and cheap. */
export interface DropMatcher {
  name: string;
  matches(doc: Record<string, unknown>): boolean;
}

/** A value at a dotted path; keys that themselves hold dots (`app` keys) are found too. */
export function getPath(obj: unknown, path: string): unknown {
  if (typeof obj !== 'object' || obj === null) return undefined;
  const record = obj as Record<string, unknown>;
  if (Object.hasOwn(record, path)) return record[path];
  const dot = path.indexOf('.');
  if (dot < 0) return undefined;
  for (let i = dot; i >= 0; i = path.indexOf('.', i + 1)) {
    const head = path.slice(0, i);
    if (Object.hasOwn(record, head)) {
      const found = getPath(record[head], path.slice(i + 1));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function values(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}

/**
 * Compiles drop rules; the regex has been validated with the configuration and runs on RE2 (linear time).
 *
 * @example
 * const [health] = compileDropRules([{ name: 'health', field: 'url.original', regex: '^/health' }]);
 * health.matches(doc) // true for GET /health
 */
export function compileDropRules(rules: readonly DropRule[]): DropMatcher[] {
  return rules.map((rule) => {
    const datasets = rule.dataset === undefined ? undefined : new Set(values(rule.dataset));
    const equals = rule.equals === undefined ? undefined : values(rule.equals).map(String);
    const re = rule.regex === undefined ? undefined : compileLinearRegex(rule.regex);
    const field = rule.field ?? 'message';
    return {
      name: rule.name,
      matches(doc) {
        if (datasets && !datasets.has(getPath(doc, 'event.dataset'))) return false;
        if (!equals && !re) return true;
        const found = values(getPath(doc, field)).filter((v) => v !== undefined && v !== null);
        if (found.length === 0) return false;
        return found.some((v) => {
          const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
          return (!equals || equals.includes(s)) && (!re || re.test(s));
        });
      },
    };
  });
}

/** The name of the first rule that drops `doc`, or undefined to keep it. */
export function dropReason(
  matchers: readonly DropMatcher[],
  doc: Record<string, unknown>,
): string | undefined {
  for (const m of matchers) if (m.matches(doc)) return m.name;
  return undefined;
}
