// CloudFront standard log lines (docs/s3-sources.md, "aws.cloudfront"): W3C tab-separated, read by the object's `#Fields:` header, or v2 JSON.
import type { Fields, ParsedLine } from '#shared/model.ts';
import { child } from '#shared/parse/merge.ts';
import { parseIsoTime } from '#shared/parse/time.ts';
import type { LineParser } from '#shared/parse/types.ts';
import { int, isIp, num, percentDecode, present, put, snake, tlsVersion } from './fields.ts';

/** The legacy standard log's fields in order: what a file without (or before) a `#Fields:` line holds. */
export const CLOUDFRONT_FIELDS: readonly string[] = [
  'date',
  'time',
  'x-edge-location',
  'sc-bytes',
  'c-ip',
  'cs-method',
  'cs(Host)',
  'cs-uri-stem',
  'sc-status',
  'cs(Referer)',
  'cs(User-Agent)',
  'cs-uri-query',
  'cs(Cookie)',
  'x-edge-result-type',
  'x-edge-request-id',
  'x-host-header',
  'cs-protocol',
  'cs-bytes',
  'time-taken',
  'x-forwarded-for',
  'ssl-protocol',
  'ssl-cipher',
  'x-edge-response-result-type',
  'cs-protocol-version',
  'fle-status',
  'fle-encrypted-fields',
  'c-port',
  'time-to-first-byte',
  'x-edge-detailed-result-type',
  'sc-content-type',
  'sc-content-len',
  'sc-range-start',
  'sc-range-end',
  'origin-fbl',
  'origin-lbl',
  'asn',
  'c-country',
  'cache-behavior-path-pattern',
];

/** The document being built for one line, and the date and time parts that make `@timestamp`. */
interface Draft {
  out: Fields;
  cf: Fields;
  date?: string;
  time?: string;
  epochMs?: number;
}

type Setter = (value: string, d: Draft) => void;

const path = (d: Draft, ...keys: string[]): Fields => {
  let obj = d.out;
  for (const k of keys) obj = child(obj, k);
  return obj;
};
const str =
  (key: string): Setter =>
  (v, d) => {
    d.cf[key] = v;
  };
const integer =
  (key: string): Setter =>
  (v, d) =>
    put(d.cf, key, int(v));
const decimal =
  (key: string): Setter =>
  (v, d) =>
    put(d.cf, key, num(v));

/** Field name → where its value goes. ECS where ECS has a home for it, `aws.cloudfront.*` otherwise. */
const SETTERS: Record<string, Setter> = {
  date: (v, d) => {
    d.date = v;
  },
  time: (v, d) => {
    d.time = v;
  },
  timestamp: (v, d) => {
    const s = num(v);
    if (s !== undefined) d.epochMs = Math.round(s * 1000);
  },
  'timestamp(ms)': (v, d) => {
    d.epochMs = int(v) ?? d.epochMs;
  },
  'x-edge-location': str('edge_location'),
  'sc-bytes': (v, d) => put(path(d, 'http', 'response'), 'bytes', int(v)),
  'c-ip': (v, d) => {
    path(d, 'source')[isIp(v) ? 'ip' : 'address'] = v;
  },
  'c-port': (v, d) => put(path(d, 'source'), 'port', int(v)),
  'c-ip-version': (v, d) => {
    path(d, 'network').type = v.toLowerCase();
  },
  'c-country': (v, d) => {
    path(d, 'source', 'geo').country_iso_code = v;
  },
  asn: (v, d) => put(path(d, 'source', 'as'), 'number', int(v)),
  'cs-method': (v, d) => {
    path(d, 'http', 'request').method = v;
  },
  'cs(Host)': str('distribution_domain'),
  'cs-uri-stem': (v, d) => {
    path(d, 'url').path = v;
  },
  'cs-uri-query': (v, d) => {
    path(d, 'url').query = v;
  },
  'sc-status': (v, d) => put(path(d, 'http', 'response'), 'status_code', int(v)),
  'cs(Referer)': (v, d) => {
    path(d, 'http', 'request').referrer = v;
  },
  // CloudFront percent-encodes the user agent (`Mozilla/5.0%20(Windows…`); ECS wants it as sent.
  'cs(User-Agent)': (v, d) => {
    path(d, 'user_agent').original = percentDecode(v);
  },
  'cs(Cookie)': str('cookie'),
  'x-edge-result-type': str('edge_result_type'),
  'x-edge-response-result-type': str('edge_response_result_type'),
  'x-edge-detailed-result-type': str('edge_detailed_result_type'),
  'x-edge-request-id': (v, d) => {
    path(d, 'http', 'request').id = v;
  },
  'x-host-header': (v, d) => {
    path(d, 'url').domain = v;
  },
  'cs-protocol': (v, d) => {
    path(d, 'url').scheme = v;
  },
  'cs-bytes': (v, d) => put(path(d, 'http', 'request'), 'bytes', int(v)),
  'time-taken': (v, d) => {
    const s = num(v);
    if (s !== undefined) path(d, 'event').duration = Math.round(s * 1e9);
  },
  'x-forwarded-for': (v, d) => {
    // CloudFront percent-encodes the space after each comma (`198.51.100.1,%20203.0.113.2`), and
    // `network.forwarded_ip` is an ip field: an entry that is no address (`unknown`) is left out.
    const list = percentDecode(v)
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s && s !== '-' && isIp(s));
    if (!list.length) return;
    path(d, 'network').forwarded_ip = list;
    // The first forwarded address is the viewer behind the proxy that `c-ip` names.
    if (isIp(list[0]!)) path(d, 'client').ip = list[0];
  },
  'ssl-protocol': (v, d) => Object.assign(path(d, 'tls'), tlsVersion(v)),
  'ssl-cipher': (v, d) => {
    path(d, 'tls').cipher = v;
  },
  'cs-protocol-version': (v, d) => {
    path(d, 'http').version = v.startsWith('HTTP/') ? v.slice(5) : v;
  },
  'fle-status': str('fle_status'),
  'fle-encrypted-fields': integer('fle_encrypted_fields'),
  'time-to-first-byte': decimal('time_to_first_byte'),
  'sc-content-type': (v, d) => {
    path(d, 'http', 'response').mime_type = v;
  },
  'sc-content-len': (v, d) => put(path(d, 'http', 'response', 'body'), 'bytes', int(v)),
  'sc-range-start': integer('range_start'),
  'sc-range-end': integer('range_end'),
  'origin-fbl': decimal('origin_fbl'),
  'origin-lbl': decimal('origin_lbl'),
  'cache-behavior-path-pattern': str('cache_behavior_path_pattern'),
  'distribution-id': str('distribution_id'),
  'cs-headers-count': integer('headers_count'),
  'sc-status-code': (v, d) => put(path(d, 'http', 'response'), 'status_code', int(v)),
};
// Documented v2 / real-time fields kept as they are under aws.cloudfront.<snake_case name>.
for (const name of [
  'cs-accept',
  'cs-accept-encoding',
  'cs-headers',
  'cs-header-names',
  'primary-distribution-id',
  'primary-distribution-dns-name',
  'r-host',
  'sr-reason',
  'x-edge-mqcid',
  'cmcd-encoded-bitrate',
  'cmcd-buffer-length',
  'cmcd-buffer-starvation',
  'cmcd-content-id',
  'cmcd-object-duration',
  'cmcd-deadline',
  'cmcd-measured-throughput',
  'cmcd-next-object-request',
  'cmcd-next-range-request',
  'cmcd-object-type',
  'cmcd-playback-rate',
  'cmcd-requested-maximum-throughput',
  'cmcd-streaming-format',
  'cmcd-session-id',
  'cmcd-stream-type',
  'cmcd-startup',
  'cmcd-top-bitrate',
  'cmcd-version',
]) {
  SETTERS[name] ??= str(snake(name.replace(/^cs-/, '')));
}

function finish(line: string, d: Draft, unknown: Record<string, unknown>): ParsedLine | undefined {
  const time =
    d.epochMs ??
    (d.date !== undefined && d.time !== undefined
      ? parseIsoTime(`${d.date}T${d.time}Z`)
      : undefined);
  if (time === undefined) return undefined;
  const url = d.out.url as Fields | undefined;
  if (url?.path !== undefined && url.domain !== undefined) {
    const scheme = (url.scheme as string | undefined) ?? 'https';
    url.original = `${scheme}://${url.domain}${url.path}${url.query !== undefined ? `?${url.query}` : ''}`;
  }
  if (Object.keys(d.cf).length) d.out.aws = { cloudfront: d.cf };
  const parsed: ParsedLine = { dataset: 'aws.cloudfront', time, message: line, fields: d.out };
  if (Object.keys(unknown).length) parsed.app = unknown;
  return parsed;
}

function fromValues(
  line: string,
  names: readonly string[],
  values: string[],
): ParsedLine | undefined {
  const d: Draft = { out: {}, cf: {} };
  const unknown: Record<string, unknown> = {};
  for (let i = 0; i < values.length; i++) {
    const name = names[i];
    const v = present(values[i]);
    if (v === undefined) continue;
    // Fields past the header's own list, or names this build does not know, stay in `app`, whose
    // flat_object mapping no header can explode.
    const set = name !== undefined && Object.hasOwn(SETTERS, name) ? SETTERS[name] : undefined;
    if (set) set(v, d);
    else put(unknown, name ?? `field_${i + 1}`, v);
  }
  return finish(line, d, unknown);
}

function fromJson(line: string): ParsedLine | undefined {
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return undefined;
  const names = Object.keys(obj);
  return fromValues(
    line,
    names,
    names.map((k) => {
      const v = (obj as Record<string, unknown>)[k];
      return v === null || v === undefined ? '-' : String(v);
    }),
  );
}

/**
 * A CloudFront standard log line: tab-separated values named by the object's `#Fields:` header
 * (`ctx.source.s3.fields`), the legacy field list when it has none, or a v2 JSON line. Values stay
 * as CloudFront logged them (URL-encoded paths and queries), but for the user agent.
 *
 * @example
 * awsCloudfront.parse('2019-12-04\t21:02:31\tLAX1\t392\t192.0.2.100\tGET\t…', ctx)?.fields
 */
export const awsCloudfront: LineParser = {
  dataset: 'aws.cloudfront',
  parse(line, ctx) {
    if (line.charCodeAt(0) === 0x7b /* { */) return fromJson(line);
    const values = line.split('\t');
    if (values.length < 3) return undefined;
    return fromValues(line, ctx.source.s3?.fields ?? CLOUDFRONT_FIELDS, values);
  },
};
