import { describe, expect, it } from 'vitest';
import { createUserAgentParser } from '#shared/enrich/user-agent.ts';
import { DATASETS, type Dataset } from '#shared/model.ts';
import { parseLine } from '#shared/parse/index.ts';
import type { ParseContext } from '#shared/parse/types.ts';
import {
  advanceStack,
  continuesStack,
  frameLang,
  type StackState,
  splitStack,
  stackHeader,
} from '#shared/transform/multiline.ts';
import { type GrowthReport, growth } from '#test/helpers/linear-time.ts';

// Every parser, the auto-detector and the multiline detector, fed lines built to make a backtracking
// regex work hard: a real line head of each family, then one separator or quantified class repeated.
// A super-linear pattern shows as run time growing far faster than the line (scale² instead of scale).

/** Characters and short runs that the patterns of this project quantify or split on. */
const UNITS = [
  ' ',
  '\t',
  '(',
  ')',
  '[',
  ']',
  '{',
  '=',
  '"',
  '\\"',
  '\\',
  '0',
  'a',
  'a=',
  'a.',
  '.',
  ':',
  ',',
  ', ',
  '-',
  '/',
  'x ',
  ' -',
  '- ',
  '#',
  '\\x2',
  '<',
  '((',
  '(a',
  'a(',
  ' at ',
  ' [',
  'a]',
  '[a]',
  'k="v" ',
  'a:',
  '1.',
  '|',
  '*',
  ' : ',
  '\u001b[',
  '\u001b[1;3',
  ', ',
  '{',
  '\t{',
] as const;

/** The first characters of a line of each family: what routes a line into its parser. */
const HEADS: Record<string, string> = {
  none: '',
  'nginx access': '1.2.3.4 - - [20/Nov/2025:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "-" ',
  'nginx access, trailing pairs':
    '1.2.3.4 - - [20/Nov/2025:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "-" rt=0.1 x= ',
  'nginx access, open quote': '1.2.3.4 - - [20/Nov/2025:10:00:00 +0000] "',
  'nginx error': '2025/11/20 10:00:03 [error] 29#30: *1 ',
  'apache error': '[Thu Nov 20 10:00:00.123456 2025] [core:warn] [pid 1:tid 2] ',
  'haproxy http':
    '10.0.1.2:33317 [20/Nov/2025:10:00:00.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 ',
  'haproxy head': '10.0.1.2:33317 [20/Nov/2025:10:00:00.655] ',
  lambda: 'REPORT RequestId: 6f7e2b1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b ',
  'lambda node': '2025-11-20T10:00:08.030Z\t6f7e2b1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b\tERROR\t',
  'python asctime': '2025-01-15 10:00:00,123',
  'python asctime level': '2025-01-15 10:00:00,123 INFO ',
  spring: '2025-11-20 10:00:00.123  INFO 1 --- [',
  'spring thread': '2025-11-20 10:00:00.123  INFO 1 --- [main] ',
  logback: '10:00:00.123 [main] INFO  ',
  'iso date': '2025-11-20 10:00:02.000 ',
  'syslog 3164': '<34>Oct 11 22:14:15 ',
  'syslog 3164 host': 'Oct 11 22:14:15 host ',
  'syslog 5424': '<165>1 2025-11-20T10:00:00.003Z host app - ID47 ',
  'syslog 5424 sd': '<165>1 2025-11-20T10:00:00.003Z host app - ID47 [a ',
  json: '{"msg":',
  'python basic': 'ERROR:',
  uvicorn: 'INFO:   ',
  gunicorn: '[2024-03-02 09:00:07 +0000] [7] [',
  celery: '[2024-03-02 09:00:08,123: INFO/',
  'access, quoted forwarded list': '"10.0.0.1, ',
  'access, host and list': 'example.org 10.0.0.1, ',
  'access, bracketed client': '[2001:db8::1]:80 - - [',
  'apache ssl_request': '[20/Nov/2025:10:00:00 +0000] 10.0.0.1 TLSv1.3 ',
  'apache error, CLF time': '[20/Nov/2025:10:00:00 +0000] [core:error] ',
  'nginx startup': 'nginx: [emerg] ',
  'nginx error context': '2025/11/20 10:00:03 [error] 29#30: *1 x, host: "',
  'lambda xray': 'XRAY TraceId: ',
  'lambda node error': '2025-11-20T10:00:08.030Z\tundefined\tERROR\tInvoke Error \t{',
  'syslog bare tag': '<131>Jun  8 11:54:08 web1 app [',
  'syslog 5424 loose sd': '<13>1 2025-03-13T20:45:38Z h a 1 - [x@1 k= ',
  ansi: '\u001b[2m2025-11-20T10:00:00.000Z\u001b[0;39m ',
  klog: 'I0505 17:59:40.692994   28133 ',
  'klog file': 'I0505 17:59:40.692994   28133 klog.go',
  logfmt: 'level=info msg="',
  'logfmt pairs': 'level=info a=1 ',
  'logfmt flag': 'level=info a=1 flag ',
  'haproxy clf':
    '10.0.1.2 - - [20/Nov/2025:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "" "" 3317 655 "',
  'haproxy connection error': '10.0.1.2:33317 [20/Nov/2025:10:00:00.655] fe/',
  'haproxy priority': '<134>10.0.1.2:',
  'haproxy timed': '<134>2025-11-20T10:00:00.655+00:00 a',
  'syslog year first': '<0>1990 Oct 22 10:52:01 ',
  'nginx ingress old':
    '1.2.3.4 - - [20/Nov/2025:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "-" 80 0.1 [a] ',
  'classic elb': '2025-11-20T10:00:00.000000Z lb 1.2.3.4:80 ',
  'syslog tag only': 'haproxy[1]: ',
  'haproxy padded': '10.0.1.2:33317 [20/Nov/2025:10:00:00.655] fe be/s 0/0/0/1/1   ',
};

const ctx: ParseContext = { eventTime: Date.UTC(2025, 10, 20), source: { logGroup: '/lt' } };

/** n repetitions of every unit, each after `head`: one input holds every shape, so a slow one dominates. */
function lines(head: string, n: number): string[] {
  return UNITS.map((u) => head + u.repeat(Math.max(1, Math.round(n / u.length))));
}

/**
 * Most growth a linear function may show for 8× longer lines: linear measures ~8-12×, the quadratic
 * shapes this file guards against 64×; the margin absorbs a machine busy with other test files.
 */
const LIMIT = 4;

/** Repeats a growth measurement once when it looks super-linear: a busy machine can stall one run. */
function linear(make: (n: number) => string[], fn: (line: string) => unknown): GrowthReport {
  const run = (input: string[]) => {
    for (const line of input) fn(line);
  };
  const opts = { n: 1024, scale: 8 };
  const first = growth(make, run, opts);
  return first.ratio < first.scale * LIMIT ? first : growth(make, run, { ...opts, repeats: 5 });
}

/** Which unit makes `fn` slow, for the failure message. */
function culprits(head: string, fn: (line: string) => unknown): string[] {
  return UNITS.filter((u) => {
    const g = growth(
      (n) => head + u.repeat(Math.max(1, Math.round(n / u.length))),
      (line) => fn(line),
      { n: 1024, scale: 8 },
    );
    return g.ratio > g.scale * LIMIT;
  }).map((u) => JSON.stringify(u));
}

function expectLinear(head: string, fn: (line: string) => unknown): void {
  const g = linear((n) => lines(head, n), fn);
  if (g.ratio >= g.scale * LIMIT) {
    expect.fail(
      `time grew ${g.ratio.toFixed(1)}x for ${g.scale}x longer lines (${g.ms.map((m) => m.toFixed(1)).join(' -> ')} ms); slow units: ${culprits(head, fn).join(' ')}`,
    );
  }
}

describe('linear time on hostile lines', { timeout: 120_000 }, () => {
  describe('auto-detection', () => {
    it.each(Object.keys(HEADS))('after a %s head', (name) => {
      expectLinear(HEADS[name]!, (line) => parseLine(line, ctx));
    });
  });

  describe('pinned parsers', () => {
    it.each(DATASETS.filter((d) => d !== 'text'))('%s, on every head', (dataset) => {
      const all = Object.values(HEADS);
      const g = linear(
        (n) => all.flatMap((head) => lines(head, n)),
        (line) => parseLine(line, ctx, dataset as Dataset),
      );
      if (g.ratio >= g.scale * LIMIT) {
        const slow = all.filter((head) => {
          const one = linear(
            (n) => lines(head, n),
            (line) => parseLine(line, ctx, dataset as Dataset),
          );
          return one.ratio >= one.scale * LIMIT;
        });
        expect.fail(
          `${dataset}: super-linear after ${slow.map((h) => JSON.stringify(h)).join(', ')}`,
        );
      }
    });
  });

  describe('enrichment', () => {
    // ua-parser-js reads at most 500 characters of a string: beyond that its cost cannot grow, so
    // the growth that matters is below it (50 to 400 characters), on agent-shaped heads.
    const heads = [
      '',
      'Mozilla/5.0 (',
      'Mozilla/5.0 (Linux; Android ',
      'curl/',
      'Mozilla/5.0 (compatible; ',
    ];
    it.each(heads)('user agent parsing after %j, below and above its 500-character cap', (head) => {
      // A new parser per run: the cache would answer the repeats.
      const parse = () => {
        const p = createUserAgentParser({ cacheSize: 1 });
        return (ua: string) => p(ua);
      };
      const make = (n: number) =>
        UNITS.map((u) => head + u.repeat(Math.max(1, Math.round(n / u.length))));
      for (const n of [50, 1024]) {
        const fn = parse();
        const run = (input: string[]) => {
          for (const ua of input) fn(`${ua}${Math.random()}`);
        };
        let g = growth(make, run, { n, scale: 8 });
        if (g.ratio >= g.scale * 2.5) g = growth(make, run, { n, scale: 8, repeats: 5 });
        expect(
          g.ratio,
          `${n} -> ${n * 8} characters: ${g.ms.map((m) => m.toFixed(1)).join(' -> ')} ms`,
        ).toBeLessThan(g.scale * 2.5);
      }
    });
  });

  describe('multiline detection', () => {
    const states: [string, StackState | undefined][] = [
      ['no trace', undefined],
      ['java', { lang: 'java', closed: false }],
      ['python', { lang: 'python', closed: false }],
      ['python closed', { lang: 'python', closed: true }],
      ['go', { lang: 'go', closed: false }],
    ];
    const heads = ['', '\tat ', '  File "', 'goroutine 1 [', 'java.lang.', 'Error: ', 'panic: '];
    it.each(states)('continuesStack and advanceStack in state %s', (_name, state) => {
      for (const head of heads) {
        expectLinear(head, (line) => continuesStack(line, state));
        expectLinear(head, (line) => advanceStack(state ?? { closed: false }, line));
      }
    });

    it('stackHeader, frameLang and splitStack', () => {
      for (const head of heads) {
        expectLinear(head, (line) => stackHeader(line, '\tat a.B.c(B.java:1)'));
        expectLinear(head, (line) => stackHeader(line, line));
        expectLinear(head, (line) => frameLang(line));
        expectLinear(head, (line) => splitStack(`failed\n${line}\n\tat a.B.c(B.java:1)`));
        expectLinear(head, (line) => splitStack(`Traceback (most recent call last):\n${line}`));
      }
    });
  });
});
