import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskNamedValues } from '#shared/transform/redact-names.ts';

const MASK = '[REDACTED]';
/** Pieces of lines about secrets: names that are and are not secrets, separators, quotes, escapes. */
const piece = fc.constantFrom(
  'password',
  'db_password',
  'token_type',
  'apiKey',
  'key',
  'sig',
  'user',
  'Authorization',
  'Bearer abc',
  'pwd',
  '/home/x',
  'passwordless',
  'secret_name',
  'x-api-key',
  'authorised',
  '=',
  ':',
  ': ',
  '=>',
  ':=',
  '"',
  "'",
  '\\"',
  '\\\\"',
  ' ',
  ',',
  '&',
  '?',
  '{',
  '}',
  'hunter2',
  'expired',
  '***',
  '\n',
  'a'.repeat(79),
);

describe('maskNamedValues', () => {
  it('masks what the scan of every name masks, skipping to names that may be secrets', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (parts) => {
        const s = parts.join('');
        expect(maskNamedValues(s, MASK)).toBe(maskNamedValues(s, MASK, true));
      }),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(maskNamedValues(s, MASK)).toBe(maskNamedValues(s, MASK, true));
      }),
    );
  });

  it('masks the same when a run of secret names makes it read name by name', () => {
    const dense = Array.from({ length: 30 }, (_, i) => `"pw_${i}_password":"v${i}"`).join(',');
    const sparse = Array.from({ length: 30 }, (_, i) => `"k${i}":"v"`).join(',');
    const line = `{${dense},${sparse},"token":"t1",${dense}}`;
    const masked = maskNamedValues(line, MASK);
    expect(masked).toBe(maskNamedValues(line, MASK, true));
    expect(masked.split(MASK).length - 1).toBe(61);
  });

  it('masks a secret name after non-secret names and values that mention secret words', () => {
    const line =
      '{"msg":"payment authorised","token_type":"Bearer","user":"u","password":"hunter2"}';
    expect(maskNamedValues(line, MASK)).toBe(
      '{"msg":"payment authorised","token_type":"Bearer","user":"u","password":"[REDACTED]"}',
    );
    expect(maskNamedValues('a=password=x b=1', MASK)).toBe('a=password=[REDACTED] b=1');
    expect(maskNamedValues('user=bob level=info', MASK)).toBe('user=bob level=info');
  });
});
