import { describe, expect, it } from 'vitest';
import { parseConfig } from '#shared/config/file.ts';
import type { InputEvent } from '#shared/model.ts';
import { createRedactor, REDACT_RULES } from '#shared/transform/redact.ts';
import { luhnValid } from '#shared/transform/redact-cards.ts';
import { transformEvents } from '#shared/transform/transform-events.ts';
import { fireLensLine } from '#test/helpers/kinesis-events.ts';

const all = createRedactor({ rules: REDACT_RULES });

/** Field names the first release masked by key; every later rule set must still mask them. */
const SECRET_FIELD_NAMES = [
  'password',
  'passwd',
  'pwd',
  'pass',
  'secret',
  'client_secret',
  'api_key',
  'apikey',
  'access_token',
  'refresh_token',
  'auth_token',
  'token',
  'authorization',
  'private_key',
  'aws_secret_access_key',
];

describe('redaction rules', () => {
  it.each([
    ['mail to bob.smith+x@example.co.uk now', 'mail to [REDACTED] now'],
    ['card 4111 1111 1111 1111 ok', 'card [REDACTED] ok'],
    ['card 4111-1111-1111-1112 fails Luhn', 'card 4111-1111-1111-1112 fails Luhn'],
    ['epoch 1763632807123456 is not a card', 'epoch 1763632807123456 is not a card'],
    ['key AKIAIOSFODNN7EXAMPLE used', 'key [REDACTED] used'],
    [
      'aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'aws_secret_access_key=[REDACTED]',
    ],
    ['Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc', 'Authorization: Bearer [REDACTED]'],
    ['Authorization: Basic dXNlcjpwYXNz', 'Authorization: Basic [REDACTED]'],
    ['Basic authentication failed', 'Basic authentication failed'],
    ['postgres://app:s3cr3t@db:5432/x', 'postgres://app:[REDACTED]@db:5432/x'],
    [
      'GET /login?user=a&password=hunter2&x=1 HTTP/1.1',
      'GET /login?user=a&password=[REDACTED]&x=1 HTTP/1.1',
    ],
    ['{"user":"a","password":"hunter2"}', '{"user":"a","password":"[REDACTED]"}'],
  ])('%s', (input, output) => {
    expect(all.text(input)).toBe(output);
  });

  it.each(SECRET_FIELD_NAMES.flatMap((name) => [name, name.toUpperCase()]))(
    'masks a "%s" JSON field in text, as the document walk masks it by key',
    (name) => {
      expect(all.text(`{"user":"a","${name}" : "hunter2","n":1}`)).toBe(
        `{"user":"a","${name}" : "[REDACTED]","n":1}`,
      );
    },
  );

  it('checks Luhn', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
  });
});

function event(message: string, group = '/ecs/shop'): InputEvent {
  return {
    id: 'e1',
    timestamp: Date.UTC(2025, 10, 20, 10),
    message,
    source: { logGroup: group, logStream: 's' },
    recordId: 'r',
  };
}

describe('redaction in the pipeline', () => {
  it('masks secrets in the document and the archived raw line, and tags it (on by default)', () => {
    // Prepare
    const line =
      '{"level":30,"msg":"paid by jane@example.com","card":4111111111111111,"password":"hunter2"}';
    // Act
    const { routed, stats } = transformEvents([event(line)], parseConfig({ version: 1 }));
    // Assess
    const [r] = routed;
    // Email addresses are opt-in: teams search logs by them.
    expect(r!.doc.message).toBe('paid by jane@example.com');
    expect(r!.doc.app).toEqual({ card: '[REDACTED]', password: '[REDACTED]' });
    expect(r!.doc.tags).toEqual(['_redacted']);
    expect(r!.raw).not.toMatch(/4111111111111111|hunter2/);
    expect(r!.doc.event.original).toBe(r!.raw);
    expect(stats.redacted).toBe(1);
  });

  it.each(SECRET_FIELD_NAMES)(
    'masks a "%s" field in the indexed document and the archived line',
    (name) => {
      // Prepare: nothing else in the line to mask, and no escapes (the walk's own reasons to run).
      const line = `{"level":30,"msg":"login","${name}":"hunter2"}`;
      // Act
      const { routed, stats } = transformEvents([event(line)], parseConfig({ version: 1 }));
      // Assess
      const [r] = routed;
      expect(r!.doc.app).toEqual({ [name]: '[REDACTED]' });
      expect(r!.raw).toBe(`{"level":30,"msg":"login","${name}":"[REDACTED]"}`);
      expect(JSON.stringify(r!.doc)).not.toContain('hunter2');
      expect(r!.doc.tags).toEqual(['_redacted']);
      expect(stats.redacted).toBe(1);
    },
  );

  it('masks a secret key/value pair an access log appends, though the text rules leave the line', () => {
    const line =
      '198.51.100.7 - - [20/Nov/2025:10:00:00 +0000] "GET /login HTTP/1.1" 200 5 "-" "curl/8.5" rt=0.052 pass=hunter2';
    const { routed } = transformEvents([event(line)], parseConfig({ version: 1 }));
    // rt is nginx's $request_time, typed as event.duration; the unknown pair stays in app.
    expect(routed[0]!.doc.app).toEqual({ pass: '[REDACTED]' });
    expect(routed[0]!.doc.event.duration).toBe(52_000_000);
    expect(routed[0]!.doc.tags).toEqual(['_redacted']);
  });

  it('a route may turn it off or choose its own rules and patterns', () => {
    const config = parseConfig({
      version: 1,
      routes: [
        { name: 'trusted', match: { log_group: '/internal/**' }, redact: false },
        {
          name: 'custom',
          match: { log_group: '/custom' },
          redact: {
            rules: [],
            patterns: [{ name: 'ssn', regex: '\\b\\d{3}-\\d{2}-\\d{4}\\b' }],
            replacement: '***',
          },
        },
      ],
    });
    const line = 'user jane@example.com ssn 123-45-6789';
    expect(transformEvents([event(line, '/internal/a')], config).routed[0]!.doc.message).toBe(line);
    expect(transformEvents([event(line, '/custom')], config).routed[0]!.doc.message).toBe(
      'user jane@example.com ssn ***',
    );
  });
  describe('JSON lines inside FireLens records (quotes escaped as \\")', () => {
    const config = parseConfig({ version: 1 });
    const firelens = (log: string) => event(fireLensLine(log), '/ecs/firelens/web');

    it('masks a secret field in the document, event.original and the archived line', () => {
      const line = firelens('{"level":"info","msg":"login","password":"hunter2"}');
      const [r] = transformEvents([line], config).routed;
      expect(r!.doc.app).toEqual({ password: '[REDACTED]' });
      expect(JSON.stringify(r!.doc)).not.toContain('hunter2');
      expect(r!.raw).not.toContain('hunter2');
      expect(r!.raw).toContain(String.raw`\"password\":\"[REDACTED]\"`);
      expect(JSON.parse(r!.raw).log).toBe('{"level":"info","msg":"login","password":"[REDACTED]"}');
      expect(r!.doc.tags).toEqual(['_redacted']);
    });

    it('leaves a line with nothing to mask as built without redaction', () => {
      const line = firelens('{"level":"info","msg":"GET /orders/42 took 12 ms","user":"bob"}');
      const masked = transformEvents([line], config).routed[0]!;
      const plain = transformEvents([line], parseConfig({ version: 1, redact: false })).routed[0]!;
      expect(masked.doc).toEqual(plain.doc);
      expect(masked.raw).toBe(plain.raw);
    });

    it('masks a value by its key alone where the line scan sees no value (past 8 spaces)', () => {
      // The line scan allows at most 8 spaces after a separator: only the walk of the names finds it.
      const json = `{"level":"info","msg":"login","password":${' '.repeat(9)}"hunter2"}`;
      for (const line of [event(json, '/ecs/web'), firelens(json)]) {
        const [r] = transformEvents([line], config).routed;
        expect(r!.doc.app).toEqual({ password: '[REDACTED]' });
        expect(r!.doc.tags).toEqual(['_redacted']);
      }
    });

    it('walks every value of a quote-escaped line when a custom pattern may read quotes', () => {
      // In the record the quotes are `\"`: the pattern matches only the decoded message.
      const custom = parseConfig({
        version: 1,
        redact: { enabled: true, patterns: [{ name: 'sku', regex: '"sku-[0-9]+"' }] },
      });
      const line = firelens('order "sku-123" placed');
      const [r] = transformEvents([line], custom).routed;
      expect(r!.doc.message).toBe('order [REDACTED] placed');
      expect(r!.doc.tags).toEqual(['_redacted']);
    });

    it('still walks the document when other escapes may decode to a secret', () => {
      // `\u0034` is a 4: only the parsed message shows the card number.
      const line = firelens(String.raw`{"level":"info","msg":"card \u0034111111111111111"}`);
      const [r] = transformEvents([line], config).routed;
      expect(r!.doc.message).toBe('card [REDACTED]');
      expect(r!.doc.tags).toEqual(['_redacted']);
    });
  });
});

describe('what the default rules leave alone (false positives measured on the bench corpus)', () => {
  const defaults = createRedactor({ rules: REDACT_RULES.filter((r) => r !== 'email') });

  it.each([
    ['a status after a secret name', 'Token: expired'],
    ['a status in key=value text', 'login refused password=incorrect user=42'],
    ['an OAuth token response', 'token_type=Bearer expires_in=3600'],
    ['a value the application masked already', 'password=******** user=42'],
    ['a digit run inside a hex trace id', 'traceId=2a39e1ddf5972e4111111111111111f1c'],
    [
      'the docker login flag that reads stdin',
      'docker login --password-stdin registry.example.com',
    ],
  ])('%s', (_why, line) => {
    expect(defaults.text(line)).toBe(line);
  });

  it('still masks the secret beside them', () => {
    expect(defaults.text('Token: expired, new token: tk-9f8e7d')).toBe(
      'Token: expired, new token: [REDACTED]',
    );
    expect(defaults.text('card 4111 1111 1111 1111 ok')).toBe('card [REDACTED] ok');
  });

  it('leaves a JSON field whose value is a status, masks one whose value is not', () => {
    const doc = { app: { token: 'expired', password: 'hunter2' } };
    defaults.document(doc);
    expect(doc.app).toEqual({ token: 'expired', password: '[REDACTED]' });
  });
});

describe('Redactor.line', () => {
  const lines = [
    'GET /health 200',
    'user=bob password=hunter2',
    'payment authorised for order 42',
    '{"log":"{\\"token\\":\\"abc\\"}"}',
    '{"msg":"a\\nb","key":"x"}',
    'HAProxy #41 token',
    'mail bob@example.com',
    '',
  ];
  it('is text() and the walk scope walkScope() gives, with and without secret_field', () => {
    for (const rules of [['secret_field', 'email'], ['email']] as const) {
      const r = createRedactor({ rules: [...rules] });
      for (const line of lines) {
        const masked = r.text(line);
        const scope = masked !== line ? 'all' : r.walkScope(line);
        expect(r.line(line)).toEqual({ text: masked, scope });
      }
    }
  });
});
