import { describe, expect, it } from 'vitest';
import { compileFormat, type FormatSpec } from '#shared/parse/format/compile.ts';
import type { ParseContext } from '#shared/parse/types.ts';
import { growth } from '#test/helpers/linear-time.ts';

// The declared-format scanner searches forward from where each value ended (backslash to
// backslash for escaped families): lines built of the characters it searches for must still cost
// time in proportion to their length.

const ctx: ParseContext = { eventTime: Date.UTC(2025, 10, 20, 10), source: {} };

const FORMATS: Record<string, { spec: FormatSpec; head: string; tail: string }> = {
  apache: {
    spec: {
      name: 'a',
      family: 'apache',
      format: '%h %l %u %t \\"%r\\" %>s %b \\"%{Referer}i\\" \\"%{User-Agent}i\\" %D',
    },
    head: '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /',
    tail: ' HTTP/1.1" 200 5 "-" "curl" 12',
  },
  nginx: {
    spec: {
      name: 'n',
      family: 'nginx',
      format:
        '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" urt="$upstream_response_time"',
    },
    head: '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /',
    tail: ' HTTP/1.1" 200 5 "-" "curl" urt="0.1"',
  },
  'nginx json': {
    spec: {
      name: 'j',
      family: 'nginx',
      format: 'escape=json "$request" "$http_user_agent" $status',
    },
    head: '"GET /',
    tail: ' HTTP/1.1" "curl" 200',
  },
  haproxy: {
    spec: {
      name: 'h',
      family: 'haproxy',
      format:
        '%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r',
    },
    head: '10.0.0.1:4000 [20/Nov/2025:10:00:00.000] in~ api/web 0/0/1/2/3 200 9 - - ---- 3/3/1/1/0 0/0 {',
    tail: '} "GET / HTTP/1.1"',
  },
};

const UNITS = ['\\', '\\"', '"', '" ', ' ', ', ', ' : ', '\\x2', '#', '{', '}', ':', '/', '0'];

describe('declared formats in linear time', { timeout: 120_000 }, () => {
  it.each(Object.keys(FORMATS))('%s, on lines of repeated separators and escapes', (name) => {
    // Arrange
    const { spec, head, tail } = FORMATS[name]!;
    const format = compileFormat(spec);
    const make = (n: number) =>
      UNITS.flatMap((u) => {
        const body = u.repeat(Math.max(1, Math.round(n / u.length)));
        return [head + body, head + body + tail, body + tail];
      });
    const run = (lines: string[]) => {
      for (const line of lines) format.parse(line, ctx);
    };
    // Act: a quadratic scan would grow 64x for 8x longer lines.
    let g = growth(make, run, { n: 1024, scale: 8 });
    if (g.ratio >= g.scale * 4)
      g = growth(make, run, { n: 1024, scale: 8, repeats: 5, attempts: 3 });
    // Assess
    expect(g.ratio, `${g.ms.map((m) => m.toFixed(2)).join(' -> ')} ms`).toBeLessThan(g.scale * 4);
  });
});
