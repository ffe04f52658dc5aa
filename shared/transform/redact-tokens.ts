// Masks secrets recognisable by their shape: provider tokens, JWTs, PEM private keys, URL passwords, emails; each scan linear in the line.
import { isAsciiAlnum, isBase64Char } from './chars.ts';

// Why linear: every pattern here either starts only where a token starts (a one-character lookbehind)
// and ends with its one unbounded run, or is a plain loop over indexOf hits that never looks back.
// A failed attempt then costs at most the run it started, and runs do not overlap, so a 256 KiB line
// of near misses is scanned a bounded number of times (test/transform/redact-linear.test.ts).

/**
 * Tokens issued with a recognisable prefix (the prefixes of GitHub, GitLab, Slack, Stripe, Google,
 * npm, SendGrid, OpenAI, Anthropic, Hugging Face, Shopify, PyPI, Docker Hub, DigitalOcean, Vault,
 * Linear, Databricks). The prefix stays, so a reader knows which kind of credential was there.
 */
const TOKENS: readonly { prefix: RegExp; re: RegExp }[] = [
  {
    prefix: /gh[pousr]_|github_pat_/,
    re: /(?<![A-Za-z0-9_])(gh[pousr]_|github_pat_)[A-Za-z0-9_]{20,255}/g,
  },
  {
    prefix: /gl(?:pat|dt|rt|ptt|soat|cbt|oas)-/,
    re: /(?<![A-Za-z0-9_-])(gl(?:pat|dt|rt|ptt|soat|cbt|oas)-)[A-Za-z0-9_-]{20,255}/g,
  },
  {
    prefix: /xox[abposre]-|xapp-/,
    re: /(?<![A-Za-z0-9_-])(xox[abposre]-|xapp-)[A-Za-z0-9-]{10,255}/g,
  },
  {
    prefix: /[sr]k_(?:live|test)_|whsec_/,
    re: /(?<![A-Za-z0-9_])([sr]k_(?:live|test)_|whsec_)[A-Za-z0-9]{10,255}/g,
  },
  { prefix: /AIza/, re: /(?<![A-Za-z0-9_-])(AIza)[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])/g },
  { prefix: /ya29\.|GOCSPX-/, re: /(?<![A-Za-z0-9_-])(ya29\.|GOCSPX-)[A-Za-z0-9_-]{20,2048}/g },
  { prefix: /npm_/, re: /(?<![A-Za-z0-9_])(npm_)[A-Za-z0-9]{36}(?![A-Za-z0-9])/g },
  { prefix: /SG\./, re: /(?<![A-Za-z0-9_-])(SG\.)[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}/g },
  {
    prefix: /sk-/,
    re: /(?<![A-Za-z0-9_-])(sk-(?:proj-|ant-(?:api\d\d-)?|svcacct-|admin-)?)[A-Za-z0-9_-]{20,255}/g,
  },
  { prefix: /hf_/, re: /(?<![A-Za-z0-9_])(hf_)[A-Za-z]{34}(?![A-Za-z])/g },
  { prefix: /shp(?:at|ca|pa|ss)_/, re: /(?<![A-Za-z0-9_])(shp(?:at|ca|pa|ss)_)[a-fA-F0-9]{32}/g },
  { prefix: /pypi-/, re: /(?<![A-Za-z0-9_-])(pypi-)AgE[A-Za-z0-9_-]{50,1024}/g },
  { prefix: /dckr_pat_/, re: /(?<![A-Za-z0-9_])(dckr_pat_)[A-Za-z0-9_-]{20,255}/g },
  { prefix: /do[por]_v1_/, re: /(?<![A-Za-z0-9_])(do[por]_v1_)[a-f0-9]{64}/g },
  { prefix: /hv[sb]\./, re: /(?<![A-Za-z0-9_-])(hv[sb]\.)[A-Za-z0-9_-]{24,255}/g },
  { prefix: /lin_api_/, re: /(?<![A-Za-z0-9_])(lin_api_)[A-Za-z0-9]{40}/g },
  { prefix: /dapi/, re: /(?<![A-Za-z0-9_])(dapi)[a-f0-9]{32}(?![a-f0-9])/g },
  // Incoming webhooks: the URL is the credential. The host stays, the path goes.
  {
    prefix: /hooks\.slack\.com|discord(?:app)?\.com\/api\/webhooks/,
    re: /((?:hooks\.slack\.com\/(?:services|workflows|triggers)|discord(?:app)?\.com\/api\/webhooks)\/)[A-Za-z0-9/_-]{8,512}/g,
  },
];
const ANY_TOKEN = new RegExp(TOKENS.map((t) => t.prefix.source).join('|'));

/**
 * Masks provider tokens and webhook URLs, keeping their prefix.
 *
 * @example
 * maskTokens('token ghp_abcdefghijklmnopqrstuvwxyz0123456789', '[REDACTED]') // 'token ghp_[REDACTED]'
 */
export function maskTokens(s: string, mask: string): string {
  if (!ANY_TOKEN.test(s)) return s;
  let out = s;
  for (const t of TOKENS) {
    if (!t.prefix.test(out)) continue;
    t.re.lastIndex = 0;
    out = out.replace(t.re, (_m, prefix: string) => `${prefix}${mask}`);
  }
  return out;
}

/** Access key ids of IAM users, roles, STS sessions and the like: four letters that say which, then 16. */
const AWS_KEY_ID =
  /(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|APKA)[A-Z0-9]{16}(?![A-Z0-9])/g;

export function maskAwsKeyIds(s: string, mask: string): string {
  if (!s.includes('A')) return s;
  AWS_KEY_ID.lastIndex = 0;
  return s.replace(AWS_KEY_ID, mask);
}

/** Three base64url segments, the first two JSON objects (`eyJ` is `{"`): a JWT, or a JWS / JWE. */
const JWT = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;

/**
 * Masks JSON Web Tokens wherever they are: cookies, `id_token`, query strings, bare.
 *
 * @example
 * maskJwts('Cookie: s=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig', '[REDACTED]') // 'Cookie: s=[REDACTED]'
 */
export function maskJwts(s: string, mask: string): string {
  if (!s.includes('eyJ')) return s;
  JWT.lastIndex = 0;
  return s.replace(JWT, mask);
}

/**
 * `Bearer <token>` anywhere: the scheme names the value a credential. The token ends where its
 * characters end (after any `=` padding): `token_type=Bearer expires_in=3600` holds no token.
 */
const BEARER = /\b(Bearer)([ \t]{1,8})[A-Za-z0-9\-._~+/]{8,}=*(?![A-Za-z0-9\-._~+/=])/gi;

export function maskBearer(s: string, mask: string): string {
  BEARER.lastIndex = 0;
  return s.replace(BEARER, (_m, scheme: string, space: string) => `${scheme}${space}${mask}`);
}

/** A character of a PEM body: base64, line ends, and `\n` as a JSON string writes them. */
function inPemBody(c: number): boolean {
  return (
    isBase64Char(c) ||
    c === 0x0a ||
    c === 0x0d ||
    c === 0x5c ||
    c === 0x20 ||
    c === 0x3a ||
    c === 0x2d
  );
}

/**
 * Masks the body of PEM private key blocks (`-----BEGIN … PRIVATE KEY-----` to `-----END`), in
 * multiline messages and in JSON strings (`\n` escapes); a block cut short is masked to its end.
 *
 * @example
 * maskPrivateKeys('-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----', 'X')
 * // '-----BEGIN PRIVATE KEY-----X-----END PRIVATE KEY-----'
 */
export function maskPrivateKeys(s: string, mask: string): string {
  let out = '';
  let copied = 0;
  // Once no `-----END` follows some point, none follows any later one: searched for at most once.
  let noEnd = false;
  let i = s.indexOf('-----BEGIN ');
  while (i >= 0) {
    const headerEnd = s.indexOf('-----', i + 11);
    if (headerEnd < 0) break;
    const header = s.slice(i + 11, headerEnd);
    if (headerEnd - i > 80 || !header.includes('PRIVATE KEY')) {
      i = s.indexOf('-----BEGIN ', i + 11);
      continue;
    }
    const bodyStart = headerEnd + 5;
    let end = noEnd ? -1 : s.indexOf('-----END', bodyStart);
    if (end < 0) {
      noEnd = true;
      end = bodyStart;
      while (end < s.length && inPemBody(s.charCodeAt(end))) end++;
    }
    if (end > bodyStart) {
      out += s.slice(copied, bodyStart) + mask;
      copied = end;
    }
    i = s.indexOf('-----BEGIN ', Math.max(end, bodyStart));
  }
  return copied === 0 ? s : out + s.slice(copied);
}

function isSchemeChar(c: number): boolean {
  return isAsciiAlnum(c) || c === 0x2b || c === 0x2e || c === 0x2d;
}

/** Ends a URL's authority: whitespace / " ' \ ? # < > and the path's `/`. */
function endsAuthority(c: number): boolean {
  return (
    c <= 0x20 ||
    c === 0x2f ||
    c === 0x22 ||
    c === 0x27 ||
    c === 0x5c ||
    c === 0x3f ||
    c === 0x23 ||
    c === 0x3c ||
    c === 0x3e
  );
}

/**
 * Masks the password of `scheme://user:password@host` URLs (also `redis://:password@host`). One pass
 * over `://` hits; each authority is read once, so the scan is linear.
 *
 * @example
 * maskUrlPasswords('postgres://app:s3cr3t@db:5432/x', '[REDACTED]') // 'postgres://app:[REDACTED]@db:5432/x'
 */
export function maskUrlPasswords(s: string, mask: string): string {
  let out = '';
  let copied = 0;
  let i = s.indexOf('://');
  while (i >= 0) {
    let scheme = i;
    while (scheme > 0 && i - scheme < 32 && isSchemeChar(s.charCodeAt(scheme - 1))) scheme--;
    let end = i + 3;
    let at = -1;
    while (end < s.length && !endsAuthority(s.charCodeAt(end))) {
      if (s.charCodeAt(end) === 0x40) at = end;
      end++;
    }
    if (scheme < i && at > 0) {
      let colon = i + 3;
      while (colon < at && s.charCodeAt(colon) !== 0x3a) colon++;
      if (colon + 1 < at) {
        out += s.slice(copied, colon + 1) + mask;
        copied = at;
      }
    }
    // A `/` that ended the authority may open the next `://`.
    i = s.indexOf('://', Math.max(end - 1, i + 3));
  }
  return copied === 0 ? s : out + s.slice(copied);
}

function isLocalChar(c: number): boolean {
  return isAsciiAlnum(c) || c === 0x2e || c === 0x5f || c === 0x25 || c === 0x2b || c === 0x2d;
}

function isDomainChar(c: number): boolean {
  return isAsciiAlnum(c) || c === 0x2e || c === 0x2d;
}

/**
 * Masks email addresses: `local@domain.tld`, the local part at most 64 characters (RFC 5321), the
 * top-level domain two letters or more. One pass over `@` hits, each looking back at most 64.
 *
 * @example
 * maskEmails('mail bob@example.com', '[REDACTED]') // 'mail [REDACTED]'
 */
export function maskEmails(s: string, mask: string): string {
  let out = '';
  let copied = 0;
  let i = s.indexOf('@');
  while (i >= 0) {
    let start = i;
    while (start > copied && i - start < 64 && isLocalChar(s.charCodeAt(start - 1))) start--;
    let end = i + 1;
    while (end < s.length && isDomainChar(s.charCodeAt(end))) end++;
    // The domain ends on its TLD: trailing dots and hyphens are punctuation of the sentence.
    while (end > i + 1 && (s.charCodeAt(end - 1) === 0x2e || s.charCodeAt(end - 1) === 0x2d)) end--;
    const domain = s.slice(i + 1, end);
    const dot = domain.lastIndexOf('.');
    const tld = dot > 0 ? domain.slice(dot + 1) : '';
    if (start < i && tld.length >= 2 && /^[A-Za-z]+$/.test(tld) && !domain.includes('..')) {
      out += s.slice(copied, start) + mask;
      copied = end;
    }
    i = s.indexOf('@', Math.max(end, i + 1));
  }
  return copied === 0 ? s : out + s.slice(copied);
}
