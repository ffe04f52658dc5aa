import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSecretName } from '#shared/transform/secret-names.ts';

/**
 * The rule as docs/redaction.md states it, on an array of words: the readable form the one-scan
 * implementation must agree with.
 */
function byWords(name: string, query: boolean): boolean {
  if (
    name.length > 80 ||
    !/pass|pwd|secret|token|key|auth|credential|signature|sig|code/i.test(name)
  )
    return false;
  const words = name
    .split(/[_.\-:]+|(?<=[a-z0-9])(?=[A-Z])/)
    .filter((w) => w !== '')
    .map((w) => w.toLowerCase());
  const last = words[words.length - 1];
  if (last === undefined) return false;
  const lastWords = ['password', 'passwd', 'pwd', 'pass', 'passphrase', 'secret', 'token'];
  const more = ['credential', 'credentials', 'signature', 'apikey', 'authorization'];
  if ([...lastWords, ...more, 'privatekey', 'secretkey'].includes(last)) return true;
  const beforeKey = ['api', 'private', 'secret', 'account', 'signing', 'encryption', 'master'];
  if (
    last === 'key' &&
    words.length > 1 &&
    [...beforeKey, 'auth', 'shared', 'client'].includes(words[words.length - 2]!)
  )
    return true;
  if (words.length === 1 && ['key', 'sig', 'code'].includes(last)) return query;
  if (
    ['password', 'passwd', 'secret', 'token', 'apikey'].some(
      (s) => last.length > s.length && last.endsWith(s),
    )
  )
    return true;
  const describes =
    'name names id ids arn type length policy file path ref version count expired expiry expires expiration at reset changed set required enabled hint prompt field label rotation manager store provider min max strength stdin'.split(
      ' ',
    );
  return (
    !describes.includes(last) &&
    words.some((w) => ['password', 'passwd', 'secret', 'secrets'].includes(w))
  );
}

describe('isSecretName', () => {
  it.each([
    'password',
    'DB_PASSWORD',
    'secretAccessKey',
    'X-Amz-Signature',
    'api_key',
    'x-api-key',
    'ApiKey',
    'APIKey',
    'id_token',
    'pgpassword',
    '_authToken',
    'spring.datasource.password',
    '--db-password',
    'client_secret',
    'AccountKey',
    'secrets_blob',
  ])('%s names a secret', (name) => {
    expect(isSecretName(name)).toBe(true);
  });

  it.each([
    'token_type',
    'secret_name',
    'password_policy',
    'passwordExpired',
    'keyId',
    'key',
    'monkey',
    'authStatus',
    'password-stdin',
    'secretsmanager_arn',
    'user',
  ])('%s does not', (name) => {
    expect(isSecretName(name)).toBe(false);
  });

  it('takes `key`, `sig` and `code` alone as secrets only in a URL query', () => {
    expect([isSecretName('sig'), isSecretName('sig', true), isSecretName('code', true)]).toEqual([
      false,
      true,
      true,
    ]);
  });

  it('agrees with the rule stated on words, on random names of secret-ish parts', () => {
    const part = fc.constantFrom(
      ...'pass word Password PASSWORD secret Secret secrets s key Key KEY api API _ - . : token Token id Id name X x 1 9 auth Auth code sig passwd pwd a B __ db private Private apikey ApiKey stdin é İ K'.split(
        ' ',
      ),
    );
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 6 }), fc.boolean(), (parts, query) => {
        const name = parts.join('');
        expect(isSecretName(name, query)).toBe(byWords(name, query));
      }),
      { numRuns: 20_000, seed: 11 },
    );
  });
});
