// CloudWatch Logs filter patterns (terms, JSON, space-delimited), compiled once to a linear-time test of a message.
//
// The syntax is CloudWatch's own, as subscription filters apply it before delivery: terms and quoted
// phrases (all must appear), `?term` (one of them must), `-term` (none may); `{ $.a.b[0] = "x*" && $.n > 3 }`
// with = != < <= > >=, IS TRUE / IS FALSE / IS NULL / NOT EXISTS, && || and parentheses; `[ip, user, ...,
// status = 4*, bytes > 1000]` over space-separated fields ("quoted" and [bracketed] fields count as one);
// `%regex%` on its own or as a JSON / field value, run by RE2 (linear time whatever the expression).
import { compileLinearRegex, type LinearRegex } from '#shared/linear-regex.ts';

export class FilterPatternError extends Error {
  constructor(pattern: string, message: string) {
    super(`filter pattern ${JSON.stringify(pattern)}: ${message}`);
    this.name = 'FilterPatternError';
  }
}

export type Matcher = (message: string) => boolean;

type Op = '=' | '!=' | '<' | '<=' | '>' | '>=';
type Value =
  | { kind: 'number'; n: number }
  | { kind: 'string'; s: string }
  | { kind: 'regex'; re: LinearRegex };
type Test = (value: unknown, present: boolean) => boolean;
type Expr =
  | { kind: 'and'; left: Expr; right: Expr }
  | { kind: 'or'; left: Expr; right: Expr }
  | { kind: 'test'; path: string; test: Test };

const OPS: readonly Op[] = ['!=', '<=', '>=', '=', '<', '>'];

/**
 * `*` is any run of characters, everything else literal: the segments between stars are found in
 * order with indexOf from the left, so the cost is one pass per segment, never backtracking.
 */
export function wildcardMatch(pattern: string, text: string): boolean {
  if (!pattern.includes('*')) return pattern === text;
  const parts = pattern.split('*');
  const first = parts[0] ?? '';
  const last = parts[parts.length - 1] ?? '';
  if (first.length + last.length > text.length) return false;
  if (!text.startsWith(first) || !text.endsWith(last)) return false;
  let at = first.length;
  const end = text.length - last.length;
  for (const part of parts.slice(1, -1)) {
    if (part === '') continue;
    const found = text.indexOf(part, at);
    if (found < 0 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

function compare(op: Op, want: Value, got: unknown): boolean {
  if (want.kind === 'number') {
    const n =
      typeof got === 'number'
        ? got
        : typeof got === 'string' && got.trim() !== ''
          ? Number(got)
          : Number.NaN;
    if (Number.isNaN(n)) return op === '!=';
    switch (op) {
      case '=':
        return n === want.n;
      case '!=':
        return n !== want.n;
      case '<':
        return n < want.n;
      case '<=':
        return n <= want.n;
      case '>':
        return n > want.n;
      default:
        return n >= want.n;
    }
  }
  if (op !== '=' && op !== '!=') return false;
  if (got === undefined || got === null || typeof got === 'object') return op === '!=';
  const same =
    want.kind === 'regex' ? want.re.test(String(got)) : wildcardMatch(want.s, String(got));
  return op === '=' ? same : !same;
}

/** `%…%`: CloudWatch's regular expressions, which have no groups. */
function regex(pattern: string, raw: string): LinearRegex {
  const source = raw.slice(1, -1);
  if (source === '' || /[()]/.test(source))
    throw new FilterPatternError(
      pattern,
      `${raw}: a regular expression here has no ( ) and is not empty`,
    );
  try {
    return compileLinearRegex(source);
  } catch (error) {
    throw new FilterPatternError(pattern, `${raw}: ${(error as Error).message}`);
  }
}

function literal(pattern: string, raw: string): Value {
  if (raw.startsWith('%') && raw.endsWith('%') && raw.length > 1)
    return { kind: 'regex', re: regex(pattern, raw) };
  if (raw.startsWith('"')) return { kind: 'string', s: raw.slice(1, -1).replace(/\\(.)/g, '$1') };
  return /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(raw)
    ? { kind: 'number', n: Number(raw) }
    : { kind: 'string', s: raw };
}

/** Splits an expression into tokens: quoted strings, &&, ||, parentheses, operators, and bare words. */
function tokenize(pattern: string, body: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < body.length) {
    const c = body[i] as string;
    if (c === ' ' || c === '\t' || c === '\n') {
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < body.length && body[j] !== '"') j += body[j] === '\\' ? 2 : 1;
      if (j >= body.length) throw new FilterPatternError(pattern, 'unterminated quoted string');
      tokens.push(body.slice(i, j + 1));
      i = j + 1;
    } else if (c === '%') {
      const end = body.indexOf('%', i + 1);
      if (end < 0) throw new FilterPatternError(pattern, 'unterminated %regular expression%');
      tokens.push(body.slice(i, end + 1));
      i = end + 1;
    } else if (body.startsWith('&&', i) || body.startsWith('||', i)) {
      tokens.push(body.slice(i, i + 2));
      i += 2;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push(c);
      i++;
    } else {
      const op = OPS.find((o) => body.startsWith(o, i));
      if (op) {
        tokens.push(op);
        i += op.length;
        continue;
      }
      let j = i;
      while (j < body.length && !' \t\n"(),=!<>&|%'.includes(body[j] as string)) j++;
      if (j === i) throw new FilterPatternError(pattern, `unexpected ${JSON.stringify(c)}`);
      tokens.push(body.slice(i, j));
      i = j;
    }
  }
  return tokens;
}

/** Recursive descent over && (binds tighter) and ||, with parentheses; a leaf is `field op value` or a test word. */
function parseExpr(
  pattern: string,
  tokens: string[],
  leaf: (t: string[], at: number) => [Expr, number],
): Expr {
  let at = 0;
  const primary = (): Expr => {
    if (tokens[at] === '(') {
      at++;
      const inner = orExpr();
      if (tokens[at] !== ')') throw new FilterPatternError(pattern, 'missing )');
      at++;
      return inner;
    }
    const [expr, next] = leaf(tokens, at);
    at = next;
    return expr;
  };
  const andExpr = (): Expr => {
    let left = primary();
    while (tokens[at] === '&&') {
      at++;
      left = { kind: 'and', left, right: primary() };
    }
    return left;
  };
  const orExpr = (): Expr => {
    let left = andExpr();
    while (tokens[at] === '||') {
      at++;
      left = { kind: 'or', left, right: andExpr() };
    }
    return left;
  };
  const expr = orExpr();
  if (at !== tokens.length) throw new FilterPatternError(pattern, `unexpected ${tokens[at]}`);
  return expr;
}

function evaluate(
  expr: Expr,
  lookup: (path: string) => { value: unknown; present: boolean },
): boolean {
  if (expr.kind === 'and') return evaluate(expr.left, lookup) && evaluate(expr.right, lookup);
  if (expr.kind === 'or') return evaluate(expr.left, lookup) || evaluate(expr.right, lookup);
  const { value, present } = lookup(expr.path);
  return expr.test(value, present);
}

/** `field op value`, or for JSON also `field IS TRUE|FALSE|NULL` and `field NOT EXISTS`. */
function comparison(pattern: string, tokens: string[], at: number, json: boolean): [Expr, number] {
  const path = tokens[at];
  if (path === undefined || ['&&', '||', ')', ...OPS].includes(path))
    throw new FilterPatternError(pattern, `expected a field, found ${path ?? 'the end'}`);
  const next = tokens[at + 1];
  if (json && next === 'IS') {
    const what = tokens[at + 2];
    const tests: Record<string, Test> = {
      TRUE: (v) => v === true,
      FALSE: (v) => v === false,
      NULL: (v, present) => present && v === null,
    };
    const test = what ? tests[what] : undefined;
    if (!test)
      throw new FilterPatternError(pattern, `IS ${what ?? ''}: expected TRUE, FALSE or NULL`);
    return [{ kind: 'test', path, test }, at + 3];
  }
  if (json && next === 'NOT' && tokens[at + 2] === 'EXISTS')
    return [{ kind: 'test', path, test: (_v, present) => !present }, at + 3];
  if (!json && (next === undefined || next === '&&' || next === '||' || next === ')'))
    return [{ kind: 'test', path, test: (_v, present) => present }, at + 1];
  const op = next as Op;
  const raw = tokens[at + 2];
  if (!OPS.includes(op) || raw === undefined)
    throw new FilterPatternError(
      pattern,
      `expected ${path} followed by = != < <= > >= and a value`,
    );
  const want = literal(pattern, raw);
  if (want.kind !== 'number' && op !== '=' && op !== '!=')
    throw new FilterPatternError(pattern, `${op} needs a number, not ${raw}`);
  // A field the event lacks matches no comparison, != included.
  return [{ kind: 'test', path, test: (v, present) => present && compare(op, want, v) }, at + 3];
}

/** `$.a.b[0]` → ['a', 'b', 0]. */
function selector(pattern: string, path: string): (string | number)[] {
  if (!path.startsWith('$'))
    throw new FilterPatternError(pattern, `${path}: a JSON selector starts with $`);
  const steps: (string | number)[] = [];
  const re = /\.([^.[\]]+)|\[(\d+)\]/y;
  re.lastIndex = 1;
  while (re.lastIndex < path.length) {
    const m = re.exec(path);
    if (!m) throw new FilterPatternError(pattern, `${path}: not a selector like $.a.b[0]`);
    steps.push(m[1] !== undefined ? m[1] : Number(m[2]));
  }
  return steps;
}

function compileJson(pattern: string, body: string): Matcher {
  const tokens = tokenize(pattern, body);
  const paths = new Map<string, (string | number)[]>();
  const expr = parseExpr(pattern, tokens, (t, at) => {
    const [leaf, next] = comparison(pattern, t, at, true);
    if (leaf.kind === 'test') paths.set(leaf.path, selector(pattern, leaf.path));
    return [leaf, next];
  });
  return (message) => {
    const start = message.trimStart();
    if (!start.startsWith('{')) return false;
    let doc: unknown;
    try {
      doc = JSON.parse(message);
    } catch {
      return false;
    }
    return evaluate(expr, (path) => {
      let node: unknown = doc;
      for (const step of paths.get(path) ?? []) {
        if (node === null || typeof node !== 'object' || !Object.hasOwn(node, step))
          return { value: undefined, present: false };
        node = (node as Record<string | number, unknown>)[step];
      }
      return { value: node, present: true };
    });
  };
}

/** Splits a line on spaces; a "quoted" or [bracketed] run is one field, without its delimiters. */
export function splitFields(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i < line.length) {
    if (line[i] === ' ' || line[i] === '\t') {
      i++;
      continue;
    }
    const close = line[i] === '"' ? '"' : line[i] === '[' ? ']' : undefined;
    if (close) {
      const end = line.indexOf(close, i + 1);
      if (end > 0) {
        fields.push(line.slice(i + 1, end));
        i = end + 1;
        continue;
      }
    }
    let j = i;
    while (j < line.length && line[j] !== ' ' && line[j] !== '\t') j++;
    fields.push(line.slice(i, j));
    i = j;
  }
  return fields;
}

function compileDelimited(pattern: string, body: string): Matcher {
  const entries: { name?: string; expr?: Expr }[] = [];
  let ellipsis = -1;
  // Commas split entries; a quoted value may hold one, so split on the tokens, not the text.
  const tokens = tokenize(pattern, body);
  let current: string[] = [];
  const flush = () => {
    if (current.length === 0) throw new FilterPatternError(pattern, 'empty field between commas');
    if (current.length === 1 && current[0] === '...') {
      if (ellipsis >= 0) throw new FilterPatternError(pattern, 'more than one ...');
      ellipsis = entries.length;
      entries.push({});
    } else if (current.length === 1) {
      entries.push({ name: current[0] });
    } else {
      const expr = parseExpr(pattern, current, (t, at) => comparison(pattern, t, at, false));
      entries.push({ name: current[0], expr });
    }
    current = [];
  };
  for (const token of tokens) {
    if (token === ',') flush();
    else current.push(token);
  }
  if (current.length > 0 || entries.length > 0) flush();
  return (message) => {
    const fields = splitFields(message);
    const named = new Map<string, string>();
    if (ellipsis < 0) {
      if (fields.length !== entries.length) return false;
      entries.forEach((e, i) => {
        if (e.name) named.set(e.name, fields[i] as string);
      });
    } else {
      const after = entries.length - ellipsis - 1;
      if (fields.length < entries.length - 1) return false;
      for (let i = 0; i < ellipsis; i++) {
        const name = entries[i]?.name;
        if (name) named.set(name, fields[i] as string);
      }
      for (let k = 0; k < after; k++) {
        const name = entries[ellipsis + 1 + k]?.name;
        if (name) named.set(name, fields[fields.length - after + k] as string);
      }
    }
    const lookup = (path: string) =>
      named.has(path)
        ? { value: named.get(path), present: true }
        : { value: undefined, present: false };
    return entries.every((e) => !e.expr || evaluate(e.expr, lookup));
  };
}

function compileTerms(pattern: string): Matcher {
  const all: string[] = [];
  const any: string[] = [];
  const none: string[] = [];
  const re = /\s*([?-]?)("(?:[^"\\]|\\.)*"|[^\s"]+)/y;
  const rest = pattern.trim();
  while (re.lastIndex < rest.length) {
    const m = re.exec(rest);
    if (!m) throw new FilterPatternError(pattern, 'unterminated quoted phrase');
    const [, prefix, raw = ''] = m;
    if (raw.startsWith('%'))
      throw new FilterPatternError(
        pattern,
        'a %regular expression% stands alone or is a JSON or field value',
      );
    const term = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
    (prefix === '?' ? any : prefix === '-' ? none : all).push(term);
  }
  return (message) =>
    all.every((t) => message.includes(t)) &&
    (any.length === 0 || any.some((t) => message.includes(t))) &&
    !none.some((t) => message.includes(t));
}

/**
 * Compiles a CloudWatch Logs filter pattern; `''` matches every event. Throws FilterPatternError for a
 * pattern CloudWatch would refuse (or a regex, which this does not implement).
 *
 * @example
 * const matches = compileFilterPattern('{ $.level = "error" || $.status >= 500 }');
 * matches('{"level":"error"}'); // true
 */
export function compileFilterPattern(pattern: string): Matcher {
  const body = pattern.trim();
  if (body === '') return () => true;
  if (body.length > 1 && body.startsWith('%') && body.endsWith('%')) {
    const re = regex(pattern, body);
    return (message) => re.test(message);
  }
  if (body.startsWith('{')) {
    if (!body.endsWith('}')) throw new FilterPatternError(pattern, 'a JSON pattern ends with }');
    return compileJson(pattern, body.slice(1, -1));
  }
  if (body.startsWith('[')) {
    if (!body.endsWith(']'))
      throw new FilterPatternError(pattern, 'a space-delimited pattern ends with ]');
    return compileDelimited(pattern, body.slice(1, -1));
  }
  return compileTerms(pattern);
}
