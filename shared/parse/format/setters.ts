// Writes at fixed dotted paths of a line's fields: one generated setter per path.
import type { Fields } from '#shared/model.ts';

/** Writes a value at one fixed dotted path of a line's fields. */
type Setter = (fields: Fields, value: unknown) => void;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const setters = new Map<string, Setter>();

/**
 * The setter for a dotted path, built once per path with its names written out. A shared loop
 * doing `obj[key] = value` for every path sees every object shape of every line at one site,
 * V8's slowest kind of store; `o.response` in a function of its own sees the few its path has.
 * Paths come from this module's own tables, and a name that is not a plain identifier gets the loop.
 *
 * @example
 * setterFor('http.response.status_code')(fields, 200)
 */
export function setterFor(path: string): Setter {
  let set = setters.get(path);
  if (!set) {
    set = buildSetter(path);
    setters.set(path, set);
  }
  return set;
}

function buildSetter(path: string): Setter {
  const parts = path.split('.');
  if (!parts.every((p) => NAME.test(p) && p !== '__proto__'))
    return (fields, value) => setParts(fields, parts, value);
  let body = 'let o = f;\n';
  for (const p of parts.slice(0, -1))
    body += `{ let n = o.${p}; if (typeof n !== "object" || n === null || Array.isArray(n)) { n = {}; o.${p} = n; } o = n; }\n`;
  body += `o.${parts.at(-1)} = v;`;
  return new Function('f', 'v', body) as Setter;
}

/**
 * A path's setter, built on first use: a cold start builds only the paths its formats write.
 *
 * @example
 * new Field('tls.established').write(out.fields, true)
 */
export class Field {
  private built: Setter | undefined;
  constructor(private readonly path: string) {}

  write(fields: Fields, value: unknown): void {
    if (this.built === undefined) this.built = setterFor(this.path);
    this.built(fields, value);
  }
}

/** Sets `fields.a.b.c`, creating the objects on the way (a non-object in the way is replaced). */
export function setPath(fields: Fields, path: string, value: unknown): void {
  setterFor(path)(fields, value);
}

function setParts(fields: Fields, parts: readonly string[], value: unknown): void {
  let obj = fields;
  const last = parts.length - 1;
  for (let i = 0; i < last; i++) {
    const key = parts[i]!;
    let next = obj[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      next = {};
      obj[key] = next;
    }
    obj = next as Fields;
  }
  obj[parts[last]!] = value;
}
