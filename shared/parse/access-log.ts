// nginx (combined, main) and Apache (common, combined) access lines: one grammar, two escaping rules.
import type { Dataset, Fields, ParsedLine } from '#shared/model.ts';
import { dash, int, requestFields, unescapeApache, unescapeNginx } from './http-request.ts';
import { parseClfTime } from './time.ts';
import type { LineParser } from './types.ts';

// A quoted field allows backslash escapes so Apache's `\"` does not end it early.
const Q = '"((?:[^"\\\\]|\\\\.)*)"';
const ACCESS = new RegExp(
  `^(\\S+) (\\S+) (\\S+) \\[([^\\]]+)\\] ${Q} (\\d{3}|-) (\\d+|-)(?: ${Q} ${Q}(?: ${Q})?)?(.*)$`,
);

function fields(m: RegExpExecArray, unescape: (s: string) => string): Fields {
  const [, ip, , user, , request, status, bytes, referrer, agent, forwarded] = m;
  const out: Fields = requestFields(unescape(request ?? ''));
  const http = (out.http ??= {}) as Fields;
  const response: Fields = {};
  const code = int(status);
  if (code !== undefined) response.status_code = code;
  const size = int(bytes);
  if (size !== undefined) response.body = { bytes: size };
  if (Object.keys(response).length) http.response = response;
  const ref = dash(referrer === undefined ? undefined : unescape(referrer));
  if (ref) ((http.request ??= {}) as Fields).referrer = ref;
  if (Object.keys(http).length === 0) delete out.http;
  out.source = { ip };
  const name = dash(user);
  if (name) out.user = { name };
  const ua = dash(agent === undefined ? undefined : unescape(agent));
  if (ua) out.user_agent = { original: ua };
  const xff = dash(forwarded);
  if (xff) {
    const chain = xff.split(',').map((s) => s.trim()).filter(Boolean);
    out.network = { forwarded_ip: chain };
    // The first X-Forwarded-For address is the real client when a proxy sits in front.
    out.client = { ip: chain[0] };
  }
  return out;
}

function accessParser(dataset: Dataset, unescape: (s: string) => string): LineParser {
  return {
    dataset,
    parse(line): ParsedLine | undefined {
      const m = ACCESS.exec(line);
      if (!m) return undefined;
      const time = parseClfTime(m[4] ?? '');
      if (time === undefined) return undefined;
      const parsed: ParsedLine = { dataset, time, message: line, fields: fields(m, unescape) };
      const extra = m[11]?.trim();
      if (extra) parsed.app = { trailing: extra };
      return parsed;
    },
  };
}

export const nginxAccess = accessParser('nginx.access', unescapeNginx);
export const apacheAccess = accessParser('apache.access', unescapeApache);
