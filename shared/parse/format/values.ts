// What one variable of a declared log format writes: typed values converted to ECS units, set at a dotted path.
import { isIP } from 'node:net';
import type { Fields } from '#shared/model.ts';
import { forwardedList, requestFields } from '#shared/parse/http-request.ts';
import { setOwn } from '#shared/parse/merge.ts';
import type { ParseContext } from '#shared/parse/types.ts';

/** What a line's variables build up. */
export interface Out {
  fields: Fields;
  app: Record<string, unknown>;
  /** Epoch ms from the first time variable of the format. */
  time?: number;
  /** Milliseconds a separate variable adds to `time` (HAProxy `%Ts.%ms`, Apache `%{msec_frac}t`). */
  fraction?: number;
  /** HTTP (httplog, nginx, Apache) or TCP (HAProxy tcplog): where byte counts go. */
  http: boolean;
  ctx: ParseContext;
}

/** Writes one variable's raw value (already unescaped; never `-` or empty). */
export type Apply = ((out: Out, value: string) => void) & {
  /**
   * The same write for a value of 1-15 ASCII digits, handed over as its number: the scanner reads
   * it from the line without a substring or a `Number()` (digits are the same escaped or not).
   */
  ofDigits?: (out: Out, n: number) => void;
};
/** Converts a raw value, or undefined when it is not of the type (then nothing is written). */
export type Conv = ((value: string) => unknown) & {
  /** The same conversion for a value of 1-15 ASCII digits, given as its number. */
  ofDigits?: (n: number) => unknown;
};

/** `fn` with its digits-only twin (see {@link Apply}). */
export function withDigits<F extends object, D>(fn: F, ofDigits: D): F & { ofDigits: D } {
  return Object.assign(fn, { ofDigits });
}
const same = (n: number) => n;

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

const scaled = (factor: number): Conv =>
  withDigits(
    (v: string) => {
      const n = num(v) as number | undefined;
      return n === undefined ? undefined : Math.round(n * factor);
    },
    (n: number) => Math.round(n * factor),
  );

/** Seconds (nginx `$request_time`, Apache `%T`) to ECS nanoseconds. */
export const secondsToNs = scaled(1e9);
/** Milliseconds to nanoseconds. */
export const msToNs = scaled(1e6);
/** Microseconds (Apache `%D`) to nanoseconds. */
export const usToNs = scaled(1e3);

/** Seconds with millisecond resolution to milliseconds, keeping a fraction nginx never writes. */
export const secondsToMs: Conv = withDigits(
  (v: string) => {
    const n = num(v) as number | undefined;
    return n === undefined ? undefined : Math.round(n * 1e6) / 1e3;
  },
  (n: number) => Math.round(n * 1e6) / 1e3,
);

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

/** Writes a value at one fixed dotted path of a line's fields. */
type Setter = (fields: Fields, value: unknown) => void;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const setters = new Map<string, Setter>();

/**
 * The setter for a dotted path, built once per path with its names written out. A shared loop
 * doing `obj[key] = value` for every path sees every object shape of every line at one site,
 * V8's slowest kind of store; `o.response` in a function of its own sees the few its path has.
 * Paths come from this module's own tables, and a name that is not a plain identifier gets the loop.
 */
function setterFor(path: string): Setter {
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

/**
 * A setter for an ECS path.
 *
 * @example
 * to('http.response.status_code', int)(out, '200') // out.fields.http.response.status_code === 200
 */
export function to(path: string, conv: Conv = str): Apply {
  const field = new Field(path);
  if (conv === str) return (out, v) => field.write(out.fields, v);
  const apply: Apply = (out, v) => {
    const value = conv(v);
    if (value !== undefined) field.write(out.fields, value);
  };
  const digits = conv.ofDigits;
  if (!digits) return apply;
  if (digits === same)
    return withDigits(apply, (out: Out, n: number) => field.write(out.fields, n));
  return withDigits(apply, (out: Out, n: number) => {
    const value = digits(n);
    if (value !== undefined) field.write(out.fields, value);
  });
}

/** Like {@link to}, but leaves a value an earlier variable set (Apache `%s` under `%>s`). */
export function toIfAbsent(path: string, conv: Conv = str): Apply {
  const parts = path.split('.');
  const field = new Field(path);
  const setIfAbsent = (out: Out, value: unknown) => {
    if (value === undefined) return;
    let obj: unknown = out.fields;
    for (const p of parts) obj = (obj as Fields | undefined)?.[p];
    if (obj === undefined) field.write(out.fields, value);
  };
  const apply: Apply = (out, v) => setIfAbsent(out, conv(v));
  const digits = conv.ofDigits;
  return digits ? withDigits(apply, (out: Out, n: number) => setIfAbsent(out, digits(n))) : apply;
}

/** Several setters for one value. */
export function all(...applies: Apply[]): Apply {
  const apply: Apply = (out, v) => {
    for (const a of applies) a(out, v);
  };
  if (!applies.every((a) => a.ofDigits)) return apply;
  return withDigits(apply, (out: Out, n: number) => {
    for (const a of applies) a.ofDigits!(out, n);
  });
}

/** Numbers where the text is a number, else the text: for `app.*` fields, named after the variable. */
export const auto = withDigits((v: string): unknown => {
  if (v.length < 16 && /^-?\d+(?:\.\d+)?$/.test(v)) {
    const n = Number(v);
    if (Number.isFinite(n)) return n;
  }
  return v;
}, same);

/**
 * A setter for `app.<name>`: the variable's own name, typed by its value.
 *
 * @example
 * toApp('http_x_tenant')(out, 'acme') // out.app.http_x_tenant === 'acme'
 */
export function toApp(name: string, conv: Conv = auto): Apply {
  const apply: Apply = (out, v) => {
    const value = conv(v);
    if (value !== undefined) setOwn(out.app, name, value);
  };
  const digits = conv.ofDigits;
  if (!digits) return apply;
  return withDigits(apply, (out: Out, n: number) => {
    const value = digits(n);
    if (value !== undefined) setOwn(out.app, name, value);
  });
}

/** A dotted quad, checked by hand: most clients are IPv4, and this runs once per line. */
function isIPv4(v: string): boolean {
  let dots = 0;
  let digits = 0;
  let octet = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || ++dots > 3) return false;
      digits = 0;
      octet = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      if (++digits > 3 || (digits > 1 && octet === 0)) return false;
      octet = octet * 10 + c - 0x30;
      if (octet > 255) return false;
    } else return false;
  }
  return dots === 3 && digits > 0;
}

/** `[::1]` or `::1` as an IP literal, or undefined. */
function ipLiteral(v: string): string | undefined {
  if (isIPv4(v)) return v;
  const bare = v.charCodeAt(0) === 0x5b && v.endsWith(']') ? v.slice(1, -1) : v;
  return isIP(bare) ? bare : undefined;
}

/**
 * An address under `obj` (`source`, `destination`, `server`): `obj.ip` for IP literals only,
 * `obj.address` for hostnames and unix sockets (`unix:/run/app.sock`).
 */
export function toAddress(obj: string): Apply {
  const ipField = new Field(`${obj}.ip`);
  const addressField = new Field(`${obj}.address`);
  return (out, v) => {
    const ip = ipLiteral(v);
    if (ip) ipField.write(out.fields, ip);
    else addressField.write(out.fields, v);
  };
}

const setMethod = setterFor('http.request.method');
const setVersion = setterFor('http.version');
const setOriginal = setterFor('url.original');

/** A request line (`GET /a?b HTTP/1.1`); HAProxy's `<BADREQ>` and the like are no request at all. */
export const toRequest: Apply = (out, v) => {
  if (v.charCodeAt(0) === 0x3c /* < */ && v.endsWith('>')) return;
  const r = requestFields(v) as {
    http?: { request: { method: string }; version?: string };
    url?: { original: string };
  };
  if (r.http) {
    setMethod(out.fields, r.http.request.method);
    if (r.http.version !== undefined) setVersion(out.fields, r.http.version);
  }
  if (r.url) setOriginal(out.fields, r.url.original);
};

const setForwarded = setterFor('network.forwarded_ip');
const setClientIp = setterFor('client.ip');

/** X-Forwarded-For: every address in `network.forwarded_ip`, the first (the real client) in `client.ip`. */
export const toForwarded: Apply = (out, v) => {
  const chain = forwardedList(v);
  if (!chain) return;
  setForwarded(out.fields, chain);
  const first = ipLiteral(chain[0]!);
  if (first) setClientIp(out.fields, first);
};

const setDomain = setterFor('url.domain');
const setPort = setterFor('url.port');

/** A Host header or server name: `url.domain`, and `url.port` when it carries one. */
export const toHost: Apply = (out, v) => {
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(v);
  if (!m) return setDomain(out.fields, v);
  setDomain(out.fields, m[1]!);
  if (m[2]) setPort(out.fields, Number(m[2]));
};

const setTlsVersion = setterFor('tls.version');
const setTlsProtocol = setterFor('tls.version_protocol');

/** `TLSv1.3` as ECS `tls.version_protocol` (`tls`) and `tls.version` (`1.3`). */
export const toTlsVersion: Apply = (out, v) => {
  const m = /^(TLS|SSL)v?(\d(?:\.\d)?)$/i.exec(v);
  if (!m) return setTlsVersion(out.fields, v);
  setTlsProtocol(out.fields, m[1]!.toLowerCase());
  setTlsVersion(out.fields, m[2]!);
};

/**
 * The line's own time; the first time variable of a format wins. Lines of a batch share their
 * time text in runs, so the last one read is remembered (per zone).
 */
export function toTime(read: (v: string, ctx: ParseContext) => number | undefined): Apply {
  let lastText: string | undefined;
  let lastZone: string | undefined;
  let lastTime: number | undefined;
  return (out, v) => {
    if (out.time !== undefined) return;
    if (v !== lastText || out.ctx.timeZone !== lastZone) {
      lastText = v;
      lastZone = out.ctx.timeZone;
      lastTime = read(v, out.ctx);
    }
    if (lastTime !== undefined) out.time = lastTime;
  };
}

/** Byte counts: HTTP formats write `http.*`, TCP ones `source`/`destination`. */
export function toBytes(httpPath: string, tcpPath: string): Apply {
  const h = to(httpPath, int);
  const t = to(tcpPath, int);
  return withDigits(
    (out: Out, v: string) => (out.http ? h : t)(out, v),
    (out: Out, n: number) => (out.http ? h : t).ofDigits!(out, n),
  );
}
