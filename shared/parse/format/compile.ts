// Compiles a server's own log format string (nginx log_format, Apache LogFormat, HAProxy log-format) into a line parser.
import { FormatError } from '#shared/errors.ts';
import type { Dataset, ParsedLine } from '#shared/model.ts';
import {
  unescapeApache,
  unescapeHaproxy,
  unescapeJson,
  unescapeNginx,
} from '#shared/parse/http-request.ts';
import type { LineParser, ParseContext } from '#shared/parse/types.ts';
import { tokenizeApache } from './apache.ts';
import { tokenizeHaproxy } from './haproxy.ts';
import { tokenizeNginx } from './nginx.ts';
import { FIT_TRUNCATED, NO_FIT, type Part, type ScanOptions, type Step, scanLine } from './scan.ts';
import { compileSteps } from './steps.ts';
import type { Out } from './values.ts';

export type FormatFamily = 'nginx' | 'apache' | 'haproxy';
/** nginx `log_format … escape=`: how variable values are written. */
export type NginxEscape = 'default' | 'json' | 'none';

export interface FormatSpec {
  name: string;
  family: FormatFamily;
  /** The format string as in the server's configuration. */
  format: string;
  /** nginx only; a leading `escape=…` in the string sets it too. */
  escape?: NginxEscape;
}

/** A compiled format: a {@link LineParser} a route can pin like a built-in one. */
export interface DeclaredFormat extends LineParser {
  name: string;
  family: FormatFamily;
}

const DATASET: Record<FormatFamily, Dataset> = {
  nginx: 'nginx.access',
  apache: 'apache.access',
  haproxy: 'haproxy.tcp',
};

/** A shape that finds its own end: another variable may follow with nothing between them. */
function selfDelimited(part: Part): boolean {
  if (!('v' in part)) return true;
  const s = part.v.shape;
  return typeof s === 'function' || s === 'clf' || s === 'bracket' || s === 'braces';
}

function steps(parts: readonly Part[]): Step[] {
  const out: Step[] = [];
  parts.forEach((part, i) => {
    if ('lit' in part) {
      out.push({ lit: part.lit });
      return;
    }
    const after = parts[i + 1];
    if (after && 'v' in after && !selfDelimited(part)) {
      throw new FormatError(
        `${part.v.token} is followed by ${after.v.token} with nothing between them: the line cannot tell where one ends`,
        after.pos,
        after.v.token,
      );
    }
    out.push({ v: part.v, next: after && 'lit' in after ? after.lit : undefined });
  });
  return out;
}

function unescaper(spec: FormatSpec, mode: NginxEscape): (s: string) => string {
  if (spec.family === 'apache') return unescapeApache;
  if (spec.family === 'haproxy') return unescapeHaproxy;
  return mode === 'json' ? unescapeJson : mode === 'none' ? (s) => s : unescapeNginx;
}

function tokenize(spec: FormatSpec): { parts: Part[]; mode: NginxEscape } {
  if (spec.family === 'apache') return { parts: tokenizeApache(spec.format), mode: 'default' };
  if (spec.family === 'haproxy') return { parts: tokenizeHaproxy(spec.format), mode: 'default' };
  const m = /^\s*escape=(default|json|none)\s+/.exec(spec.format);
  const offset = m ? m[0].length : 0;
  const parts = tokenizeNginx(spec.format.slice(offset), offset);
  return { parts, mode: (m?.[1] as NginxEscape | undefined) ?? spec.escape ?? 'default' };
}

/**
 * Compiles a format once (at cold start) into a parser that reads a line in one pass. Throws a
 * {@link FormatError} naming the position and the variable when the string cannot compile.
 *
 * @example
 * const edge = compileFormat({ name: 'edge', family: 'nginx', format: '$remote_addr [$time_local] "$request" $status' });
 * edge.parse('1.2.3.4 [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200', ctx)?.fields
 */
export function compileFormat(spec: FormatSpec): DeclaredFormat {
  const { parts, mode } = tokenize(spec);
  if (!parts.some((p) => 'v' in p)) throw new FormatError('the format has no variable', 0);
  const compiled = steps(parts);
  const http = spec.family !== 'haproxy' || parts.some((p) => 'v' in p && p.v.http === true);
  const dataset: Dataset =
    http && spec.family === 'haproxy' ? 'haproxy.http' : DATASET[spec.family];
  const opts: ScanOptions = {
    backslash: spec.family === 'apache' || mode === 'json',
    separators: spec.family === 'haproxy',
  };
  const program = compileSteps(compiled, opts, unescaper(spec, mode));
  return {
    name: spec.name,
    family: spec.family,
    dataset,
    parse(line: string, ctx: ParseContext): ParsedLine | undefined {
      const out: Out = { fields: {}, app: {}, http, ctx, time: undefined, fraction: undefined };
      const scanned = scanLine(program, line, opts, out);
      if (scanned === NO_FIT) return undefined;
      const parsed: ParsedLine = { dataset, message: line, fields: out.fields };
      if (out.time !== undefined) parsed.time = out.time + (out.fraction ?? 0);
      if (hasKeys(out.app)) parsed.app = out.app;
      if (scanned === FIT_TRUNCATED) parsed.tags = ['_truncated'];
      return parsed;
    },
  };
}

/** `Object.keys(obj).length > 0` without building the array, once per line. */
function hasKeys(obj: object): boolean {
  for (const _ in obj) return true;
  return false;
}
