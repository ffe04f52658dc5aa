// What one variable of a declared log format writes: typed values converted to ECS units, set at a dotted path.
import { isIP } from 'node:net';
import type { Fields } from '#shared/model.ts';
import { forwardedList, requestFields } from '#shared/parse/http-request.ts';
import { child, mergeFields, setOwn } from '#shared/parse/merge.ts';
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
export type Apply = (out: Out, value: string) => void;
/** Converts a raw value, or undefined when it is not of the type (then nothing is written). */
export type Conv = (value: string) => unknown;

/** A string as is. */
export const str: Conv = (v) => v;

/** A signed integer (`-1`, `+3` as HAProxy writes them). */
export const int: Conv = (v) => {
  const n = Number(v.charCodeAt(0) === 0x2b ? v.slice(1) : v);
  return Number.isSafeInteger(n) && /^[+-]?\d+$/.test(v) ? n : undefined;
};

/** A non-negative decimal number. */
export const num: Conv = (v) => {
  const n = Number(v);
  return Number.isFinite(n) && /^\d+(?:\.\d+)?$/.test(v) ? n : undefined;
};

const scaled =
  (factor: number): Conv =>
  (v) => {
    const n = num(v) as number | undefined;
    return n === undefined ? undefined : Math.round(n * factor);
  };

/** Seconds (nginx `$request_time`, Apache `%T`) to ECS nanoseconds. */
export const secondsToNs = scaled(1e9);
/** Milliseconds to nanoseconds. */
export const msToNs = scaled(1e6);
/** Microseconds (Apache `%D`) to nanoseconds. */
export const usToNs = scaled(1e3);

/** Seconds with millisecond resolution to milliseconds, keeping a fraction nginx never writes. */
export const secondsToMs: Conv = (v) => {
  const n = num(v) as number | undefined;
  return n === undefined ? undefined : Math.round(n * 1e6) / 1e3;
};

/** A HAProxy timer in ms: `-1` (never reached) is absent, `+` (logasap) is dropped. */
export const haproxyMs: Conv = (v) => {
  const n = int(v) as number | undefined;
  return n === undefined || n < 0 ? undefined : n;
};

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

const paths = new Map<string, string[]>();

/** Sets `fields.a.b.c`, creating the objects on the way. */
export function setPath(fields: Fields, path: string, value: unknown): void {
  let parts = paths.get(path);
  if (!parts) {
    parts = path.split('.');
    paths.set(path, parts);
  }
  let obj = fields;
  for (let i = 0; i < parts.length - 1; i++) obj = child(obj, parts[i]!);
  obj[parts[parts.length - 1]!] = value;
}

/**
 * A setter for an ECS path.
 *
 * @example
 * to('http.response.status_code', int)(out, '200') // out.fields.http.response.status_code === 200
 */
export function to(path: string, conv: Conv = str): Apply {
  return (out, v) => {
    const value = conv(v);
    if (value !== undefined) setPath(out.fields, path, value);
  };
}

/** Like {@link to}, but leaves a value an earlier variable set (Apache `%s` under `%>s`). */
export function toIfAbsent(path: string, conv: Conv = str): Apply {
  return (out, v) => {
    const value = conv(v);
    if (value === undefined) return;
    let obj: unknown = out.fields;
    for (const p of path.split('.')) obj = (obj as Fields | undefined)?.[p];
    if (obj === undefined) setPath(out.fields, path, value);
  };
}

/** Several setters for one value. */
export function all(...applies: Apply[]): Apply {
  return (out, v) => {
    for (const a of applies) a(out, v);
  };
}

/** Numbers where the text is a number, else the text: for `app.*` fields, named after the variable. */
export function auto(v: string): unknown {
  if (v.length < 16 && /^-?\d+(?:\.\d+)?$/.test(v)) {
    const n = Number(v);
    if (Number.isFinite(n)) return n;
  }
  return v;
}

/**
 * A setter for `app.<name>`: the variable's own name, typed by its value.
 *
 * @example
 * toApp('http_x_tenant')(out, 'acme') // out.app.http_x_tenant === 'acme'
 */
export function toApp(name: string, conv: Conv = auto): Apply {
  return (out, v) => {
    const value = conv(v);
    if (value !== undefined) setOwn(out.app, name, value);
  };
}

/** `[::1]` or `::1` as an IP literal, or undefined. */
function ipLiteral(v: string): string | undefined {
  const bare = v.charCodeAt(0) === 0x5b && v.endsWith(']') ? v.slice(1, -1) : v;
  return isIP(bare) ? bare : undefined;
}

/**
 * An address under `obj` (`source`, `destination`, `server`): `obj.ip` for IP literals only,
 * `obj.address` for hostnames and unix sockets (`unix:/run/app.sock`).
 */
export function toAddress(obj: string): Apply {
  return (out, v) => {
    const ip = ipLiteral(v);
    setPath(out.fields, ip ? `${obj}.ip` : `${obj}.address`, ip ?? v);
  };
}

/** A request line (`GET /a?b HTTP/1.1`); HAProxy's `<BADREQ>` and the like are no request at all. */
export const toRequest: Apply = (out, v) => {
  if (v.charCodeAt(0) === 0x3c /* < */ && v.endsWith('>')) return;
  mergeFields(out.fields, requestFields(v));
};

/** X-Forwarded-For: every address in `network.forwarded_ip`, the first (the real client) in `client.ip`. */
export const toForwarded: Apply = (out, v) => {
  const chain = forwardedList(v);
  if (!chain) return;
  setPath(out.fields, 'network.forwarded_ip', chain);
  const first = ipLiteral(chain[0]!);
  if (first) setPath(out.fields, 'client.ip', first);
};

/** A Host header or server name: `url.domain`, and `url.port` when it carries one. */
export const toHost: Apply = (out, v) => {
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(v);
  if (!m) return setPath(out.fields, 'url.domain', v);
  setPath(out.fields, 'url.domain', m[1]!);
  if (m[2]) setPath(out.fields, 'url.port', Number(m[2]));
};

/** `TLSv1.3` as ECS `tls.version_protocol` (`tls`) and `tls.version` (`1.3`). */
export const toTlsVersion: Apply = (out, v) => {
  const m = /^(TLS|SSL)v?(\d(?:\.\d)?)$/i.exec(v);
  if (!m) return setPath(out.fields, 'tls.version', v);
  setPath(out.fields, 'tls.version_protocol', m[1]!.toLowerCase());
  setPath(out.fields, 'tls.version', m[2]!);
};

/** The line's own time; the first time variable of a format wins. */
export function toTime(read: (v: string, ctx: ParseContext) => number | undefined): Apply {
  return (out, v) => {
    if (out.time !== undefined) return;
    const t = read(v, out.ctx);
    if (t !== undefined) out.time = t;
  };
}

/** Byte counts: HTTP formats write `http.*`, TCP ones `source`/`destination`. */
export function toBytes(httpPath: string, tcpPath: string): Apply {
  const h = to(httpPath, int);
  const t = to(tcpPath, int);
  return (out, v) => (out.http ? h : t)(out, v);
}
