// nginx access logs written as JSON (`log_format … escape=json '{"remote_addr":"$remote_addr",…}'`), keyed by nginx's own variable names.
import type { ParsedLine } from '#shared/model.ts';
import { nginxAccess } from './access-log.ts';
import { parseJsonObject } from './app-json.ts';
import { isKnownNginxVariable, nginxVariable } from './format/nginx.ts';
import type { Out } from './format/values.ts';
import { setOwn } from './merge.ts';
import type { LineParser, ParseContext } from './types.ts';

// Keys that make an object an nginx access record: the client and what it asked or got.
const CLIENT = ['remote_addr', 'realip_remote_addr', 'http_x_forwarded_for'];
const REQUEST = ['request', 'request_uri', 'uri', 'status', 'request_method'];
// An application's JSON line that logs a client address has a message and a level of its own.
const APP = ['msg', 'message', 'level'];

/**
 * True for a JSON object whose keys are nginx variable names (`remote_addr`, `request`, `status`,
 * …), as the usual JSON `log_format` writes it. Names only: values prove nothing about the format.
 *
 * @example
 * isNginxObject({ remote_addr: '10.0.0.1', status: 200, request: 'GET / HTTP/1.1' }) // true
 */
export function isNginxObject(obj: Record<string, unknown>): boolean {
  if (APP.some((k) => Object.hasOwn(obj, k))) return false;
  return CLIENT.some((k) => Object.hasOwn(obj, k)) && REQUEST.some((k) => Object.hasOwn(obj, k));
}

/**
 * Maps an nginx JSON access record to the fields of the text formats, each key as the variable it
 * names (`request_time` s → `event.duration` ns, `status` a number, `-` and `""` absent); keys
 * nginx does not define stay in `app`.
 *
 * @example
 * fromNginxObject({ remote_addr: '10.0.0.1', status: '200', request_time: '0.005' }, line, ctx).fields
 * // { source: { ip: '10.0.0.1' }, http: { response: { status_code: 200 } }, event: { duration: 5000000 } }
 */
export function fromNginxObject(
  obj: Record<string, unknown>,
  line: string,
  ctx: ParseContext,
): ParsedLine {
  const out: Out = { fields: {}, app: {}, http: true, ctx };
  for (const key of Object.keys(obj)) {
    const value = obj[key];
    if (value === null || value === '' || value === '-') continue;
    if (isKnownNginxVariable(key) && (typeof value === 'string' || typeof value === 'number'))
      nginxVariable(key).apply(out, String(value));
    else setOwn(out.app, key, value);
  }
  const parsed: ParsedLine = { dataset: 'nginx.access', message: line, fields: out.fields };
  if (out.time !== undefined) parsed.time = out.time + (out.fraction ?? 0);
  if (Object.keys(out.app).length) parsed.app = out.app;
  return parsed;
}

/** A route pinning `nginx.access` reads the text formats and the JSON one. */
export const nginxAccessOrJson: LineParser = {
  dataset: 'nginx.access',
  parse(line, ctx) {
    if (line.charCodeAt(0) !== 0x7b) return nginxAccess.parse(line, ctx);
    const obj = parseJsonObject(line);
    return obj && isNginxObject(obj) ? fromNginxObject(obj, line, ctx) : undefined;
  },
};
