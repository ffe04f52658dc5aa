// CloudTrail records (docs/s3-sources.md, "aws.cloudtrail"): one record of a log file's `Records` array per event, typed.
import type { Fields, ParsedLine } from '#shared/model.ts';
import { parseJsonObject } from '#shared/parse/app-json.ts';
import { parseIsoTime } from '#shared/parse/time.ts';
import type { LineParser } from '#shared/parse/types.ts';
import { isIp, put, snake } from './fields.ts';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** CloudTrail writes some flags as booleans and some (`mfaAuthenticated`) as `"true"` / `"false"`. */
function bool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  return v === 'true' ? true : v === 'false' ? false : undefined;
}

/** Keys of a CloudTrail object in snake_case, nested objects too, scalars as they are. */
function snaked(obj: Obj): Fields {
  const out: Fields = {};
  for (const [k, v] of Object.entries(obj))
    put(
      out,
      snake(k.replace(/([a-z0-9])([A-Z])/g, '$1_$2')).toLowerCase(),
      isObj(v) ? snaked(v) : v,
    );
  return out;
}

function userIdentity(identity: Obj, out: Fields, ct: Fields): void {
  const u: Fields = snaked(identity);
  const context = identity.sessionContext;
  if (isObj(context)) {
    const attributes = isObj(context.attributes) ? context.attributes : {};
    const sc = u.session_context as Fields;
    delete sc.attributes;
    put(sc, 'mfa_authenticated', bool(attributes.mfaAuthenticated));
    put(sc, 'creation_date', str(attributes.creationDate));
    // Federation claims vary by provider: kept as one flat_object, whatever their keys.
    if (isObj(context.webIdFederationData)) sc.web_id_federation_data = context.webIdFederationData;
  }
  if (isObj(identity.onBehalfOf)) u.on_behalf_of = identity.onBehalfOf;
  ct.user_identity = u;
  const user: Fields = {};
  put(user, 'id', str(identity.principalId));
  const issuer = isObj(context) && isObj(context.sessionIssuer) ? context.sessionIssuer : undefined;
  const arn = str(identity.arn);
  put(
    user,
    'name',
    str(identity.userName) ?? str(issuer?.userName) ?? arn?.slice(arn.lastIndexOf('/') + 1),
  );
  if (Object.keys(user).length) out.user = user;
}

/** Free-form payloads of the API call: flat_object fields, so no service's parameters can explode the mapping. */
const FLAT = [
  ['requestParameters', 'request_parameters'],
  ['responseElements', 'response_elements'],
  ['additionalEventData', 'additional_event_data'],
  ['serviceEventDetails', 'service_event_details'],
  ['insightDetails', 'insight_details'],
  ['addendum', 'addendum'],
  ['edgeDeviceDetails', 'edge_device_details'],
] as const;

const HANDLED = new Set([
  'eventVersion',
  'userIdentity',
  'eventTime',
  'eventSource',
  'eventName',
  'awsRegion',
  'sourceIPAddress',
  'userAgent',
  'errorCode',
  'errorMessage',
  'requestID',
  'eventID',
  'readOnly',
  'resources',
  'eventType',
  'apiVersion',
  'managementEvent',
  'recipientAccountId',
  'sharedEventID',
  'vpcEndpointId',
  'vpcEndpointAccountId',
  'eventCategory',
  'sessionCredentialFromConsole',
  'tlsDetails',
  ...FLAT.map(([k]) => k),
]);

function fromRecord(r: Obj): ParsedLine | undefined {
  const time = parseIsoTime(str(r.eventTime) ?? '');
  const name = str(r.eventName);
  const provider = str(r.eventSource);
  if (time === undefined || !name || !provider) return undefined;
  const out: Fields = {};
  const ct: Fields = {};
  const errorCode = str(r.errorCode);
  // A failed console sign-in has no errorCode: it says so in its response (`ConsoleLogin: Failure`).
  const response = isObj(r.responseElements) ? r.responseElements : undefined;
  const failed = errorCode !== undefined || response?.ConsoleLogin === 'Failure';
  out.event = { action: name, provider, outcome: failed ? 'failure' : 'success' };
  const cloud: Fields = { provider: 'aws' };
  put(cloud, 'region', str(r.awsRegion));
  const account = str(r.recipientAccountId);
  if (account) cloud.account = { id: account };
  out.cloud = cloud;
  const ip = str(r.sourceIPAddress);
  // AWS services calling on a user's behalf appear by name (`ec2.amazonaws.com`), not by address.
  if (ip) out.source = isIp(ip) ? { ip } : { address: ip };
  const agent = str(r.userAgent);
  if (agent) out.user_agent = { original: agent };
  const error: Fields = {};
  put(error, 'code', errorCode);
  put(error, 'message', str(r.errorMessage));
  if (Object.keys(error).length) out.error = error;
  if (isObj(r.userIdentity)) userIdentity(r.userIdentity, out, ct);
  if (isObj(r.tlsDetails)) {
    const tls: Fields = {};
    const version = str(r.tlsDetails.tlsVersion);
    if (version?.startsWith('TLSv'))
      Object.assign(tls, { version_protocol: 'tls', version: version.slice(4) });
    put(tls, 'cipher', str(r.tlsDetails.cipherSuite));
    const host = str(r.tlsDetails.clientProvidedHostHeader);
    if (host) tls.client = { server_name: host };
    if (Object.keys(tls).length) out.tls = tls;
  }
  put(ct, 'event_version', str(r.eventVersion));
  put(ct, 'event_id', str(r.eventID));
  put(ct, 'request_id', str(r.requestID));
  put(ct, 'event_type', str(r.eventType));
  put(ct, 'event_category', str(r.eventCategory));
  put(ct, 'api_version', str(r.apiVersion));
  put(ct, 'read_only', bool(r.readOnly));
  put(ct, 'management_event', bool(r.managementEvent));
  put(ct, 'recipient_account_id', account);
  put(ct, 'shared_event_id', str(r.sharedEventID));
  put(ct, 'vpc_endpoint_id', str(r.vpcEndpointId));
  put(ct, 'vpc_endpoint_account_id', str(r.vpcEndpointAccountId));
  put(ct, 'session_credential_from_console', bool(r.sessionCredentialFromConsole));
  if (Array.isArray(r.resources))
    ct.resources = r.resources.filter(isObj).map((res) => snaked(res));
  for (const [from, to] of FLAT) if (isObj(r[from]) || Array.isArray(r[from])) ct[to] = r[from];
  out.aws = { cloudtrail: ct };
  const who = (out.user as Fields | undefined)?.name ?? 'unknown';
  const parsed: ParsedLine = {
    dataset: 'aws.cloudtrail',
    time,
    // Warn, not error: a refused call is the caller's problem, not the pipeline's; alert rules can still pick it.
    level: errorCode ? 'warn' : 'info',
    message: `${provider} ${name} by ${who}${errorCode ? `: ${errorCode}` : ''}`,
    fields: out,
  };
  const app: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) if (!HANDLED.has(k)) put(app, k, v);
  if (Object.keys(app).length) parsed.app = app;
  return parsed;
}

/**
 * One CloudTrail record (the S3 reader expands a log file's `Records` array into one event each).
 * The call goes to `event.action` / `event.provider` / `event.outcome`, the caller to `user.*` and
 * `aws.cloudtrail.user_identity`, request and response payloads to flat_object fields.
 *
 * @example
 * awsCloudtrail.parse('{"eventVersion":"1.08","eventTime":"2025-11-20T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject",…}', ctx)
 */
export const awsCloudtrail: LineParser = {
  dataset: 'aws.cloudtrail',
  parse(line) {
    const obj = parseJsonObject(line);
    return obj ? fromRecord(obj) : undefined;
  },
};
