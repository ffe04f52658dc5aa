// What one variable of a declared log format writes: typed values converted to ECS units, set at a dotted path.
import { isIP } from 'node:net';
import type { Fields } from '#shared/model.ts';
import { forwardedList, requestFields } from '#shared/parse/http-request.ts';
import { setOwn } from '#shared/parse/merge.ts';
import type { ParseContext } from '#shared/parse/types.ts';
import { type Conv, int, num, same, str, withDigits } from './convert.ts';
import { Field, setterFor } from './setters.ts';

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

/** Milliseconds a separate variable adds to the line's time (HAProxy `%ms`). */
export const toFraction: Apply = withDigits(
  (out: Out, v: string) => {
    if (int(v) !== undefined) out.fraction = Number(v);
  },
  (out: Out, n: number) => {
    out.fraction = n;
  },
);
