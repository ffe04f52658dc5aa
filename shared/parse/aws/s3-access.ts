// S3 server access log lines (docs/s3-sources.md, "aws.s3access"): every documented field, typed.
import type { Fields, ParsedLine } from '#shared/model.ts';
import { child } from '#shared/parse/merge.ts';
import { parseClfTime } from '#shared/parse/time.ts';
import type { LineParser } from '#shared/parse/types.ts';
import { int, isIp, present, put, splitFields, tlsVersion } from './fields.ts';

/** `GET /bucket/key?x HTTP/1.1`; a Request-URI that is not one (`-`, a bare path) is kept whole. */
function requestFields(request: string | undefined, out: Fields): void {
  const r = present(request);
  if (r === undefined) return;
  const first = r.indexOf(' ');
  const last = r.lastIndexOf(' ');
  if (first < 0 || last === first || !r.startsWith('HTTP/', last + 1)) {
    out.url = { original: r };
    return;
  }
  child(child(out, 'http'), 'request').method = r.slice(0, first);
  child(out, 'http').version = r.slice(last + 6);
  out.url = { original: r.slice(first + 1, last) };
}

/**
 * An S3 server access log record. The owner and requester are canonical ids or ARNs, `Key` stays
 * URL-encoded as S3 logs it; `Total Time` also goes to `event.duration` (ns). Fields S3 adds after
 * `Source Region` are kept in `app.unparsed_fields`.
 *
 * @example
 * awsS3access.parse('79a59d… amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 … REST.GET.VERSIONING - "GET /b?versioning HTTP/1.1" 200 …', ctx)
 */
export const awsS3access: LineParser = {
  dataset: 'aws.s3access',
  parse(line) {
    const f = splitFields(line);
    if (f.length < 18) return undefined;
    const time = parseClfTime(f[2] ?? '');
    if (time === undefined) return undefined;
    const out: Fields = {};
    const s3: Fields = { bucket_owner: f[0], bucket: f[1] };
    const ip = present(f[3]);
    if (ip) out.source = isIp(ip) ? { ip } : { address: ip };
    put(s3, 'requester', present(f[4]));
    put(s3, 'request_id', present(f[5]));
    const operation = present(f[6]);
    if (operation) out.event = { action: operation };
    put(s3, 'key', present(f[7]));
    requestFields(f[8], out);
    const http = child(out, 'http');
    const response: Fields = {};
    put(response, 'status_code', int(f[9]));
    const sent = int(f[11]);
    if (sent !== undefined) response.body = { bytes: sent };
    if (Object.keys(response).length) http.response = response;
    const errorCode = present(f[10]);
    if (errorCode) out.error = { code: errorCode };
    put(s3, 'object_size', int(f[12]));
    const total = int(f[13]);
    if (total !== undefined) {
      s3.total_time = { ms: total };
      child(out, 'event').duration = total * 1_000_000;
    }
    const turnAround = int(f[14]);
    put(s3, 'turn_around_time', turnAround === undefined ? undefined : { ms: turnAround });
    const referrer = present(f[15]);
    if (referrer) child(http, 'request').referrer = referrer;
    if (present(f[16])) out.user_agent = { original: f[16] };
    put(s3, 'version_id', present(f[17]));
    put(s3, 'host_id', present(f[18]));
    put(s3, 'signature_version', present(f[19]));
    const tls: Fields = { ...tlsVersion(f[23]) };
    put(tls, 'cipher', present(f[20]));
    if (Object.keys(tls).length) out.tls = tls;
    put(s3, 'authentication_type', present(f[21]));
    const host = present(f[22]);
    if (host) child(out, 'url').domain = host;
    put(s3, 'access_point_arn', present(f[24]));
    // `Yes` when the request needed an ACL to be authorised, `-` when it did not (and absent in
    // records older than the field).
    if (f.length > 25) s3.acl_required = f[25] === 'Yes';
    put(s3, 'source_region', present(f[26]));
    if (Object.keys(http).length === 0) delete out.http;
    out.aws = { s3access: s3 };
    const parsed: ParsedLine = { dataset: 'aws.s3access', time, message: line, fields: out };
    if (f.length > 27) parsed.app = { unparsed_fields: f.slice(27) };
    return parsed;
  },
};
