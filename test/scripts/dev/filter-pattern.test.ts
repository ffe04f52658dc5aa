import { describe, expect, it } from 'vitest';
import {
  compileFilterPattern,
  FilterPatternError,
  splitFields,
  wildcardMatch,
} from '#scripts/dev/filter-pattern.ts';
import { growth } from '#test/helpers/linear-time.ts';

const APACHE =
  '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 1534';

function matching(pattern: string, messages: string[]): string[] {
  const matches = compileFilterPattern(pattern);
  return messages.filter((m) => matches(m));
}

describe('compileFilterPattern: terms', () => {
  const lines = [
    '[ERROR] Exiting: bad arguments',
    'ERROR ARGUMENTS missing',
    'WARN disk at 91%',
    'INFO all good',
    'error in lower case',
  ];

  it('matches every event with an empty pattern', () => {
    expect(matching('', lines)).toEqual(lines);
    expect(matching('   ', lines)).toEqual(lines);
  });

  it('needs every plain term, case-sensitively', () => {
    expect(matching('ERROR', lines)).toEqual(lines.slice(0, 2));
    expect(matching('ERROR ARGUMENTS', lines)).toEqual(['ERROR ARGUMENTS missing']);
  });

  it('needs one of the ? terms', () => {
    expect(matching('?ERROR ?WARN', lines)).toEqual(lines.slice(0, 3));
  });

  it('drops events holding a - term', () => {
    expect(matching('ERROR -Exiting', lines)).toEqual(['ERROR ARGUMENTS missing']);
    expect(matching('-"all good"', lines)).toEqual([...lines.slice(0, 3), lines[4]]);
    expect(matching('"at 91%"', lines)).toEqual(['WARN disk at 91%']);
  });

  it('takes a quoted phrase as one term', () => {
    expect(matching('"disk at"', lines)).toEqual(['WARN disk at 91%']);
    expect(matching('"at disk"', lines)).toEqual([]);
  });
});

describe('compileFilterPattern: JSON', () => {
  const events = [
    '{"level":"error","status":503,"user":{"id":7,"tags":["a","b"]},"ok":false}',
    '{"level":"info","status":200,"user":{"id":8},"ok":true,"gone":null}',
    '{"level":"warn","status":"404"}',
    'not json {"level":"error"}',
    '{"level": "error", broken',
  ];

  it('compares strings with = and !=, * as a wildcard', () => {
    expect(matching('{ $.level = "error" }', events)).toEqual([events[0]]);
    expect(matching('{ $.level = "*r*" }', events)).toEqual([events[0], events[2]]);
    expect(matching('{ $.level != "info" }', events)).toEqual([events[0], events[2]]);
  });

  it('compares numbers, numeric strings included', () => {
    expect(matching('{ $.status >= 400 }', events)).toEqual([events[0], events[2]]);
    expect(matching('{ $.status < 300 }', events)).toEqual([events[1]]);
    expect(matching('{ $.status = 404 }', events)).toEqual([events[2]]);
  });

  it('follows nested keys and array indices', () => {
    expect(matching('{ $.user.id = 7 }', events)).toEqual([events[0]]);
    expect(matching('{ $.user.tags[1] = "b" }', events)).toEqual([events[0]]);
  });

  it('combines with && and ||, && binding tighter, parentheses first', () => {
    expect(matching('{ $.level = "info" || $.status > 500 && $.ok IS FALSE }', events)).toEqual([
      events[0],
      events[1],
    ]);
    expect(matching('{ ($.level = "info" || $.status > 500) && $.ok IS TRUE }', events)).toEqual([
      events[1],
    ]);
  });

  it('tests IS NULL and NOT EXISTS', () => {
    expect(matching('{ $.gone IS NULL }', events)).toEqual([events[1]]);
    expect(matching('{ $.user NOT EXISTS }', events)).toEqual([events[2]]);
  });

  it('never matches a missing field with a comparison, nor a message that is no JSON object', () => {
    expect(matching('{ $.missing != "x" }', events)).toEqual([]);
    expect(matching('{ $.level = "error" }', [events[3] as string, events[4] as string])).toEqual(
      [],
    );
  });
});

describe('compileFilterPattern: space-delimited', () => {
  const lines = [APACHE, APACHE.replace('404 1534', '200 99'), 'too few fields'];

  it('names fields by position; quoted and bracketed runs are one field', () => {
    expect(splitFields(APACHE)).toEqual([
      '127.0.0.1',
      '-',
      'frank',
      '10/Oct/2000:13:25:15 -0700',
      'GET /apache_pb.gif HTTP/1.0',
      '404',
      '1534',
    ]);
    expect(matching('[ip, identity, user, timestamp, request, status, bytes]', lines)).toEqual(
      lines.slice(0, 2),
    );
  });

  it('tests fields with wildcards, numbers and ||', () => {
    expect(matching('[ip, identity, user, timestamp, request, status = 4*, bytes]', lines)).toEqual(
      [APACHE],
    );
    expect(
      matching('[ip, id, user=frank, ts, request, status = 2* || status = 5*, bytes < 100]', lines),
    ).toEqual([lines[1]]);
  });

  it('lets ... stand for any number of fields', () => {
    expect(matching('[ip, ..., status, bytes > 1000]', lines)).toEqual([APACHE]);
    expect(matching('[..., bytes]', lines)).toEqual(lines);
  });
});

describe('compileFilterPattern: regular expressions', () => {
  const lines = ['ERROR 503 upstream', 'ERROR timeout', 'WARN 503', '{"code":"E42","n":1}'];

  it('matches a standalone %regex% anywhere in the message', () => {
    expect(matching('%ERROR [0-9]{3}%', lines)).toEqual(['ERROR 503 upstream']);
    expect(matching('%^WARN%', lines)).toEqual(['WARN 503']);
  });

  it('takes %regex% as a JSON or field value', () => {
    expect(matching('{ $.code = %^E[0-9]+$% }', lines)).toEqual([lines[3]]);
    expect(matching('{ $.code != %^E% }', lines)).toEqual([]);
    expect(matching('[level = %^ERR%, ...]', lines)).toEqual(lines.slice(0, 2));
  });

  it('stays linear on an expression that makes a backtracking engine explode', () => {
    // No b at the end: a backtracking engine tries every split of the a's between the four a+ (n⁴).
    const matches = compileFilterPattern('%^a+a+a+a+b$%');
    const g = growth(
      (n) => 'a'.repeat(n),
      (line) => matches(line),
      { n: 2_000 },
    );
    expect(g.ratio).toBeLessThan(g.scale * 4);
  });
});

describe('compileFilterPattern: refusals', () => {
  it.each([
    ['{ $.level = "error" ', /ends with \}/],
    ['{ level = "x" }', /starts with \$/],
    ['{ $.n > "x" }', /needs a number/],
    ['{ $.a = 1 && }', /expected a field/],
    ['[a, , b]', /empty field/],
    ['[..., a, ...]', /more than one/],
    ['ERROR %[0-9]+%', /stands alone/],
    ['%(a|b)%', /has no \( \)/],
    ['%[%', /%\[%/],
    ['"unterminated', /unterminated/],
  ])('refuses %s', (pattern, message) => {
    expect(() => compileFilterPattern(pattern)).toThrow(FilterPatternError);
    expect(() => compileFilterPattern(pattern)).toThrow(message);
  });
});

describe('wildcardMatch', () => {
  it.each([
    ['a*c', 'abc', true],
    ['a*c', 'ab', false],
    ['*', '', true],
    ['a**b', 'ab', true],
    ['*x*y*', 'axbxcy', true],
    ['*x*y*', 'ayx', false],
    ['ab*ba', 'aba', false],
  ])('%s against %s is %s', (pattern, text, expected) => {
    expect(wildcardMatch(pattern, text)).toBe(expected);
  });

  it('stays linear on inputs that make backtracking matchers quadratic', () => {
    const g = growth(
      // Ends in b, so every segment is looked for rather than the suffix failing at once.
      (n) => `${'a'.repeat(n)}b`,
      (text) => wildcardMatch('*a*a*a*a*b', text),
      { n: 20_000 },
    );
    expect(g.ratio).toBeLessThan(g.scale * 4);
  });
});

describe('compileFilterPattern: hostile messages', () => {
  it('tests long messages in linear time, for each kind of pattern', () => {
    for (const pattern of ['ERROR -"x y"', '{ $.a = "*b*c" }', '[a, ..., b = *z*]']) {
      const matches = compileFilterPattern(pattern);
      const g = growth(
        (n) => `{"a":"${'b'.repeat(n)}"} ${'q '.repeat(n)}`,
        (line) => matches(line),
        { n: 5_000 },
      );
      expect(g.ratio, pattern).toBeLessThan(g.scale * 4);
    }
  });
});
