// AWS WAF web ACL log records (docs/s3-sources.md, "aws.waf"): one JSON object a line, typed.
import type { Fields, ParsedLine } from '#shared/model.ts';
import { parseJsonObject } from '#shared/parse/app-json.ts';
import { child, setOwn } from '#shared/parse/merge.ts';
import type { LineParser } from '#shared/parse/types.ts';
import { isIp, put } from './fields.ts';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' && v !== '-' ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Rule lists and match details vary by rule type: flat_object fields, whatever their shape. */
const FLAT = [
  ['terminatingRuleMatchDetails', 'terminating_rule_match_details'],
  ['ruleGroupList', 'rule_group_list'],
  ['rateBasedRuleList', 'rate_based_rule_list'],
  ['nonTerminatingMatchingRules', 'non_terminating_matching_rules'],
  ['requestHeadersInserted', 'request_headers_inserted'],
  ['captchaResponse', 'captcha_response'],
  ['challengeResponse', 'challenge_response'],
] as const;

const HANDLED = new Set([
  'timestamp',
  'formatVersion',
  'webaclId',
  'terminatingRuleId',
  'terminatingRuleType',
  'action',
  'httpSourceName',
  'httpSourceId',
  'httpRequest',
  'responseCodeSent',
  'labels',
  'ja3Fingerprint',
  'ja4Fingerprint',
  'oversizeFields',
  'requestBodySize',
  'requestBodySizeInspectedByWAF',
  ...FLAT.map(([k]) => k),
]);

/** The request WAF inspected: client, method, URL and headers (one flat_object keyed by lower-case name). */
function request(req: Obj, out: Fields, waf: Fields): string | undefined {
  const ip = str(req.clientIp);
  if (ip) out.source = isIp(ip) ? { ip } : { address: ip };
  const country = str(req.country);
  if (country) child(child(out, 'source'), 'geo').country_iso_code = country;
  const http = child(out, 'http');
  const r = child(http, 'request');
  put(r, 'method', str(req.httpMethod));
  put(r, 'id', str(req.requestId));
  const version = str(req.httpVersion);
  if (version) http.version = version.startsWith('HTTP/') ? version.slice(5) : version;
  const url = child(out, 'url');
  put(url, 'path', str(req.uri));
  put(url, 'query', str(req.args));
  put(url, 'fragment', str(req.fragment));
  put(url, 'scheme', str(req.scheme));
  let host = str(req.host);
  if (Array.isArray(req.headers)) {
    const headers: Obj = {};
    for (const h of req.headers) {
      if (!isObj(h) || typeof h.name !== 'string' || typeof h.value !== 'string') continue;
      const name = h.name.toLowerCase();
      setOwn(headers, name, h.value);
      if (name === 'user-agent') out.user_agent = { original: h.value };
      else if (name === 'referer') r.referrer = h.value;
      else if (name === 'host') host ??= h.value;
    }
    waf.request = { headers };
  }
  // The Host header may carry a port (`localhost:1989`): `url.domain` is the name alone.
  const port = host ? /^(.+?|\[[^\]]+\]):(\d{1,5})$/.exec(host) : null;
  if (port) {
    url.domain = port[1]!.replace(/^\[|\]$/g, '');
    url.port = Number(port[2]);
  } else if (host) url.domain = host;
  if (url.path !== undefined) {
    const q = url.query === undefined ? '' : `?${url.query}`;
    url.original = host
      ? `${(url.scheme as string | undefined) ?? 'https'}://${host}${url.path}${q}`
      : `${url.path}${q}`;
  }
  return host;
}

function fromRecord(r: Obj): ParsedLine | undefined {
  const time = num(r.timestamp);
  const action = str(r.action);
  if (time === undefined || !action || !isObj(r.httpRequest)) return undefined;
  const out: Fields = { event: { action } };
  const waf: Fields = {};
  put(waf, 'format_version', num(r.formatVersion));
  put(waf, 'web_acl_id', str(r.webaclId));
  const rule: Fields = {};
  put(rule, 'id', str(r.terminatingRuleId));
  put(rule, 'ruleset', str(r.terminatingRuleType));
  if (Object.keys(rule).length) out.rule = rule;
  put(waf, 'http_source_name', str(r.httpSourceName));
  put(waf, 'http_source_id', str(r.httpSourceId));
  const host = request(r.httpRequest, out, waf);
  const status = num(r.responseCodeSent);
  if (status !== undefined) child(child(out, 'http'), 'response').status_code = status;
  if (Array.isArray(r.labels))
    waf.labels = r.labels.flatMap((l) => (isObj(l) && typeof l.name === 'string' ? [l.name] : []));
  const ja3 = str(r.ja3Fingerprint);
  if (ja3) out.tls = { client: { ja3 } };
  put(waf, 'ja4_fingerprint', str(r.ja4Fingerprint));
  if (Array.isArray(r.oversizeFields))
    waf.oversize_fields = r.oversizeFields.filter((f) => typeof f === 'string');
  put(waf, 'request_body_size', num(r.requestBodySize));
  put(waf, 'request_body_size_inspected_by_waf', num(r.requestBodySizeInspectedByWAF));
  for (const [from, to] of FLAT) if (isObj(r[from]) || Array.isArray(r[from])) waf[to] = r[from];
  out.aws = { waf };
  const method = (out.http as Fields | undefined)?.request as Fields | undefined;
  const path = (out.url as Fields).path ?? '';
  const parsed: ParsedLine = {
    dataset: 'aws.waf',
    time,
    message: `${action} ${method?.method ?? '-'} ${host ?? ''}${path} (${rule.id ?? 'no rule'})`,
    fields: out,
  };
  const app: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) if (!HANDLED.has(k)) put(app, k, v);
  if (Object.keys(app).length) parsed.app = app;
  return parsed;
}

/**
 * A WAF web ACL log record: the decision in `event.action` and `rule.*`, the inspected request in
 * ECS `source.*`, `http.*`, `url.*` (headers as one flat_object under `aws.waf.request.headers`).
 *
 * @example
 * awsWaf.parse('{"timestamp":1576280412771,"formatVersion":1,"webaclId":"arn:…","action":"BLOCK","httpRequest":{…}}', ctx)
 */
export const awsWaf: LineParser = {
  dataset: 'aws.waf',
  parse(line) {
    const obj = parseJsonObject(line);
    return obj ? fromRecord(obj) : undefined;
  },
};
