// The rules of a configuration compiled once (drop matchers, redactors per route, declared formats), and redaction of text that never becomes a document.
import type { Config, RedactConfig, Route } from '#shared/config/schema.ts';
import type { EventSource } from '#shared/model.ts';
import type { DeclaredFormat } from '#shared/parse/format/compile.ts';
import { compileFormats } from '#shared/parse/format/declared.ts';
import { compileDropRules, type DropMatcher } from '#shared/transform/drop.ts';
import { createRedactor, type Redactor } from '#shared/transform/redact.ts';
import { selectRoute } from '#shared/transform/route.ts';

export interface Compiled {
  drop: DropMatcher[];
  routeDrop: Map<Route, DropMatcher[]>;
  redact?: Redactor;
  routeRedact: Map<Route, Redactor | undefined>;
  /** Declared formats by name: a route's `parser` names one or a built-in dataset. */
  formats: Map<string, DeclaredFormat>;
}

const compiled = new WeakMap<Config, Compiled>();

function redactor(cfg: RedactConfig | undefined): Redactor | undefined {
  return cfg?.enabled ? createRedactor(cfg) : undefined;
}

/**
 * The drop matchers and redactors of `config`, built on first use and kept while the configuration lives.
 *
 * @example
 * const { redact } = compile(config);
 */
export function compile(config: Config): Compiled {
  let c = compiled.get(config);
  if (!c) {
    c = {
      drop: compileDropRules((config.drop ?? []) as Parameters<typeof compileDropRules>[0]),
      routeDrop: new Map(),
      redact: redactor(config.redact),
      routeRedact: new Map(),
      formats: compileFormats(config.formats ?? []),
    };
    for (const route of config.routes) {
      c.routeDrop.set(
        route,
        compileDropRules((route.drop ?? []) as Parameters<typeof compileDropRules>[0]),
      );
      c.routeRedact.set(route, route.redact === undefined ? c.redact : redactor(route.redact));
    }
    compiled.set(config, c);
  }
  return c;
}

/**
 * `text` masked as the documents of events from `source` are: for what a record held past its limits,
 * dead-lettered as text, never parsed.
 *
 * @example
 * const raw = redactRaw(config, { logGroup: '/ecs/web' }, overflowChunk);
 */
export function redactRaw(config: Config, source: EventSource, text: string): string {
  const c = compile(config);
  const route = selectRoute(config.routes, source);
  const redact = route ? c.routeRedact.get(route) : c.redact;
  return redact ? redact.text(text) : text;
}
