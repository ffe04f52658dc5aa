// Deep links for an alert: the CloudWatch console at a stream and time (CloudWatch data only), OpenSearch Dashboards Discover for a fingerprint. Pure.

/** The console's escaping inside its `#logsV2:` fragment: percent-encoding with `%` written `$`. */
function consoleEscape(value: string): string {
  return encodeURIComponent(value).replace(/%/g, '$');
}

/** Names (log group, stream) are percent-encoded twice before that: `/` becomes `$252F`. */
function consoleName(value: string): string {
  return consoleEscape(encodeURIComponent(value));
}

/**
 * The CloudWatch console opened on a log stream around a time range (a minute either side).
 *
 * @example
 * cloudWatchStreamUrl({ region: 'eu-west-1', logGroup: '/ecs/api', logStream: 'api/1', from: t, to: t })
 */
export function cloudWatchStreamUrl(opts: {
  region: string;
  logGroup: string;
  logStream?: string;
  from: number;
  to: number;
}): string {
  const base = `https://${opts.region}.console.aws.amazon.com/cloudwatch/home?region=${opts.region}#logsV2:log-groups/log-group/${consoleName(opts.logGroup)}`;
  if (!opts.logStream) return base;
  const query = consoleEscape(`?start=${opts.from - 60_000}&end=${opts.to + 60_000}`);
  return `${base}/log-events/${consoleName(opts.logStream)}${query}`;
}

/** A rison string: bare when it is a plain identifier, else quoted with `!` escaping `'` and `!`. */
function rison(value: string): string {
  if (/^[A-Za-z_][\w.-]*$/.test(value) && !/^[-\d]/.test(value)) return value;
  return `'${value.replace(/!/g, '!!').replace(/'/g, "!'")}'`;
}

/** URL-encodes a rison value, keeping the characters rison itself is made of readable. */
function encodeRison(value: string): string {
  return encodeURIComponent(value).replace(/%2C/g, ',').replace(/%3A/g, ':').replace(/%40/g, '@');
}

/** A Lucene phrase: inside quotes only `"` and backslash are special (slashes, spaces, `:`, `*` are not). */
export function luceneQuote(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

/**
 * A Lucene query that finds the events of a fingerprint: its log group (or, for Kinesis data that has
 * none, its stream), error type, and the longest constant fragments of the normalised message
 * (placeholders split it) as phrases on `message`.
 *
 * @example
 * fingerprintQuery({ kinesisStream: 'app-logs', normalized: 'payment <n> declined' })
 * // 'aws.kinesis.stream:"app-logs" AND message:"declined" AND message:"payment"'
 */
export function fingerprintQuery(opts: {
  logGroup?: string;
  kinesisStream?: string;
  errorType?: string;
  normalized: string;
}): string {
  const clauses: string[] = [];
  if (opts.kinesisStream) clauses.push(`aws.kinesis.stream:${luceneQuote(opts.kinesisStream)}`);
  else if (opts.logGroup) clauses.push(`aws.cloudwatch.log_group:${luceneQuote(opts.logGroup)}`);
  if (opts.errorType) clauses.push(`error.type:${luceneQuote(opts.errorType)}`);
  const message =
    opts.errorType && opts.normalized.startsWith(`${opts.errorType}: `)
      ? opts.normalized.slice(opts.errorType.length + 2)
      : opts.normalized;
  const fragments = message
    .split(/<(?:uuid|hex|n|id)>/)
    .map((f) =>
      f
        .replace(/[^\p{L}\p{N}_\s.:/-]+/gu, ' ')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .filter((f) => /\p{L}{3}/u.test(f))
    .sort((a, b) => b.length - a.length)
    .slice(0, 3)
    .map((f) => f.slice(0, 120));
  for (const f of fragments) clauses.push(`message:${luceneQuote(f)}`);
  return clauses.join(' AND ') || '*';
}

/**
 * OpenSearch Dashboards Discover with the fingerprint's query over the alert's time range (five minutes
 * either side). The legacy `#/` route is used: newer Dashboards forward it to the data explorer.
 *
 * @example
 * discoverUrl({ baseUrl: 'https://search-x/_dashboards', query, from, to })
 */
export function discoverUrl(opts: {
  baseUrl: string;
  indexPattern?: string;
  query: string;
  from: number;
  to: number;
}): string {
  const from = new Date(opts.from - 300_000).toISOString();
  const to = new Date(opts.to + 300_000).toISOString();
  const g = `(time:(from:${rison(from)},to:${rison(to)}))`;
  const index = opts.indexPattern ? `index:${rison(opts.indexPattern)},` : '';
  const a = `(${index}query:(language:lucene,query:${rison(opts.query)}))`;
  return `${opts.baseUrl.replace(/\/+$/, '')}/app/discover#/?_g=${encodeRison(g)}&_a=${encodeRison(a)}`;
}

/**
 * Where Discover links point: `alerts.links.dashboards_url` when set, else the Dashboards derived from
 * the OpenSearch endpoint (an AWS domain's `https://<endpoint>/_dashboards`, worked out by the caller);
 * undefined when neither is known or links are off.
 *
 * @example
 * dashboardsBase({ discover: true }, 'https://search-logs-x.eu-west-1.es.amazonaws.com/_dashboards')
 */
export function dashboardsBase(
  links: { dashboards_url?: string; discover?: boolean },
  derived?: string,
): string | undefined {
  if (links.discover === false) return undefined;
  return links.dashboards_url ?? derived;
}

/**
 * The index prefix of a daily log index: `logs` of `logs-error-2025.11.20`.
 *
 * @example
 * indexPrefixOf('acme-logs-error-2025.11.20', 'error') // 'acme-logs'
 */
export function indexPrefixOf(index: string | undefined, logType: string): string | undefined {
  const suffix = `-${logType}-`;
  if (!index || !/-\d{4}\.\d{2}\.\d{2}$/.test(index)) return undefined;
  const at = index.lastIndexOf(suffix);
  return at > 0 && at + suffix.length + 10 === index.length ? index.slice(0, at) : undefined;
}
