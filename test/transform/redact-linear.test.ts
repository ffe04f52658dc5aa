import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '#shared/config/file.ts';
import { compileLinearRegex } from '#shared/linear-regex.ts';
import { createRedactor, REDACT_RULES } from '#shared/transform/redact.ts';
import { transformEvents } from '#shared/transform/transform-events.ts';
import { growth } from '#test/helpers/linear-time.ts';

const redactor = createRedactor({ rules: REDACT_RULES });

/** `unit` repeated to about `n` characters, then `tail`: a long run of near misses and one last hit. */
const repeat =
  (unit: string, tail = '') =>
  (n: number) =>
    unit.repeat(Math.ceil(n / unit.length)) + tail;

/**
 * Lines that made the old rules (or would make a careless rewrite) backtrack: for each rule, long runs
 * of what its pattern starts with and never completes.
 */
const HOSTILE: [string, (n: number) => string][] = [
  ['url password after dots (was 17 s at 256 KiB)', repeat('a.', ' x://y@')],
  [
    'url password after an nginx error prefix',
    (n) => `2025/11/20 10:00:00 [error] 12#12: *1 ${repeat('a.', ' x://y@')(n)}`,
  ],
  ['many schemes', repeat('x://')],
  ['user:pass without @', repeat('x://a:b')],
  ['email local part run (was quadratic)', repeat('a.', '@')],
  ['many @', repeat('a@')],
  ['domain run', repeat('@a.a')],
  ['named values, no separator', repeat('password')],
  ['named values, key=key=', repeat('password=')],
  ['names then colon', repeat('token: ')],
  ['JSON keys unterminated', repeat('"password":"')],
  ['escaped JSON keys', repeat('\\"password\\":\\"')],
  ['backslash runs', repeat('\\\\\\"', '"password":"x"')],
  ['long name run', repeat('secret_', '=x')],
  ['JWT heads', repeat('eyJ')],
  ['JWT first segment only', repeat('eyJabcd.')],
  ['PEM headers without END', repeat('-----BEGIN RSA PRIVATE KEY-----\nMIIE')],
  ['PEM begins', repeat('-----BEGIN ')],
  ['token prefixes', repeat('xoxb-')],
  ['github prefixes', repeat('ghp_')],
  ['stripe near misses', repeat('sk_live_x ')],
  ['bearer', repeat('Bearer ')],
  ['authorization', repeat('Authorization: ')],
  ['digits (cards)', repeat('4')],
  ['digits with separators', repeat('4 ')],
  ['AKIA', repeat('AKIA')],
  ['mysql -p', (n) => `mysql ${repeat(' -p')(n)}`],
  ['query keys', repeat('&key=')],
  ['long options', repeat('--password ')],
  ['quoted option lists', repeat('["--token", "')],
];

describe('redaction runs in linear time', { timeout: 120_000 }, () => {
  it.each(HOSTILE)('%s', (_name, make) => {
    // Prepare / Act: 4 KiB against 64 KiB, best of three.
    const g = growth(make, (line) => redactor.text(line), { n: 4096, scale: 16, attempts: 3 });
    // Assess: linear grows ~16× (GC and a busy machine add some), quadratic ~256×.
    expect(g.ratio).toBeLessThan(g.scale * 4);
  });

  it('fuzz: repeated mixes of every rule’s fragments never grow super-linearly', () => {
    const fragment = fc.constantFrom(
      'password',
      'token',
      'Api-Key',
      '=',
      ':',
      ' ',
      '"',
      "'",
      '\\',
      '\\"',
      '://',
      '@',
      '.',
      'a',
      '4',
      'eyJ',
      'xoxb-',
      'ghp_',
      '-----BEGIN PRIVATE KEY-----',
      '-----END',
      'Bearer ',
      'mysql -p',
      'mysql -p ',
      '--password ',
      '--api-key ',
      '-----END RSA PRIVATE KEY-----',
      '?key=',
      '\n',
    );
    fc.assert(
      fc.property(fc.array(fragment, { minLength: 1, maxLength: 6 }), (parts) => {
        const unit = parts.join('');
        const linear = () => {
          const g = growth(repeat(unit), (line) => redactor.text(line), {
            n: 1024,
            scale: 16,
            attempts: 2,
          });
          // Linear measures 16-25× here; quadratic would be ~256×. The margin absorbs a loaded machine.
          return g.ratio < g.scale * 6;
        };
        // Measured again before failing: other test files share the two cores; a quadratic fails both.
        return linear() || linear();
      }),
      { numRuns: 25, seed: 11 },
    );
    // 50 growth measurements: seconds on two cores shared with other test files.
  }, 30_000);

  it('the document walk of a line with thousands of masked values stays linear', () => {
    const config = parseConfig({ version: 1 });
    const line = (n: number) =>
      JSON.stringify(
        Object.fromEntries(Array.from({ length: n / 40 }, (_, i) => [`password_${i}`, `v${i}`])),
      );
    const g = growth(
      line,
      (message) =>
        transformEvents(
          [
            {
              id: 'e',
              timestamp: Date.UTC(2025, 10, 20),
              message,
              source: { logGroup: '/g' },
              recordId: 'r',
            },
          ],
          config,
        ),
      { n: 4096, scale: 16, attempts: 3 },
    );
    expect(g.ratio).toBeLessThan(g.scale * 4);
  });
});

describe('user-supplied regexes run on RE2', { timeout: 120_000 }, () => {
  it('a catastrophic pattern for a backtracking engine stays linear', () => {
    // (a+)+$ on "aaaa…b" takes seconds in JavaScript's engine past ~30 characters.
    const re = compileLinearRegex('(a+)+$');
    const g = growth(repeat('a', 'b'), (s) => re.test(s), { n: 4096, scale: 16, attempts: 3 });
    expect(g.ratio).toBeLessThan(g.scale * 4);
    expect(re.test(`${'a'.repeat(64)}b`)).toBe(false);
  });

  it('a custom redaction pattern masks every match and takes its replacement literally', () => {
    const r = createRedactor({
      rules: [],
      patterns: [{ name: 'ssn', regex: '\\b\\d{3}-\\d{2}-\\d{4}\\b' }],
      replacement: '$1',
    });
    expect(r.text('a 123-45-6789 b 987-65-4321')).toBe('a $1 b $1');
  });

  it('configuration refuses what RE2 cannot run, naming the path', () => {
    expect(() => parseConfig({ version: 1, drop: [{ name: 'x', regex: '(?<=a)b' }] })).toThrow(
      /drop\[0\]\.regex: not a valid regular expression \(RE2 syntax/,
    );
  });
});
