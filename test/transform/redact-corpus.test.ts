import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '#shared/config/file.ts';
import { createDryRunAlertSink } from '#shared/runtime.ts';
import { createRecordingSinks } from '#shared/sinks/recording.ts';
import { ingestCloudWatchLogs } from '#shared/sources/cloudwatch-logs.ts';
import { ingestKinesis } from '#shared/sources/kinesis.ts';
import { awslogsEvent, messageOf } from '#test/helpers/events.ts';
import {
  fireLensLine,
  kinesisEvent,
  kinesisRecord,
  sequenceNumber,
} from '#test/helpers/kinesis-events.ts';
import { PEM_LINES, SECRET_FORMS, STREAM_SECRET_FORMS } from '#test/helpers/secret-forms.ts';

const config = parseConfig({
  version: 1,
  // Every document alerts, so every form also goes through the Slack message builder.
  alerts: { rules: [{ name: 'all', level: 'any', log_type: ['access', 'error', 'application'] }] },
});

/**
 * Runs one line through the CloudWatch Logs path with recording sinks; the index refuses every
 * document, echoing its message back as OpenSearch echoes a refused value, so each also gets a
 * dead-letter entry.
 */
async function everywhere(line: string | string[], seed: string) {
  const sinks = createRecordingSinks();
  const indexed: unknown[] = [];
  sinks.index = {
    index: async (items) =>
      items.map((item) => {
        indexed.push(item.doc);
        return {
          status: 'rejected' as const,
          statusCode: 400,
          error: `mapper_parsing_exception: failed to parse [${item.doc.message}]`,
        };
      }),
  };
  const alerts = createDryRunAlertSink(config.alerts);
  sinks.alert = alerts;
  const { report } = await ingestCloudWatchLogs(
    awslogsEvent(messageOf(typeof line === 'string' ? [line] : line, { seed, group: '/ecs/shop' })),
    { config, sinks },
    Date.now() + 10_000,
  );
  return {
    report,
    document: JSON.stringify(indexed),
    archive: sinks.archived.flatMap((o) => o.rows).join('\n'),
    deadLetter: JSON.stringify(sinks.deadLetters.flatMap((d) => d.entries)),
    slack: JSON.stringify(alerts.messages),
  };
}

describe('secret corpus: none of the common forms leaves the pipeline', () => {
  it('holds 63 forms', () => {
    expect(SECRET_FORMS).toHaveLength(63);
  });

  it.each(SECRET_FORMS.map((f, i) => [f.name, f, i] as const))('%s', async (_name, form, i) => {
    // Act
    const out = await everywhere(form.line, `form${i}`);
    // Assess: each place got the line (so a missing place cannot pass), and no secret is in any.
    expect(out.report.documents).toBe(1);
    expect(out.archive).not.toBe('');
    expect(out.deadLetter).not.toBe('[]');
    expect(out.slack).not.toBe('[]');
    for (const secret of form.secrets) {
      expect(out.document).not.toContain(secret);
      expect(out.archive).not.toContain(secret);
      expect(out.deadLetter).not.toContain(secret);
      expect(out.slack).not.toContain(secret);
    }
    expect(out.document).toContain('[REDACTED]');
    expect(out.document).toContain('_redacted');
  });

  it('an error whose message holds password=… reaches Slack masked (it reached it whole before)', async () => {
    const line = JSON.stringify({
      level: 50,
      msg: 'db connect failed',
      err: { type: 'AuthError', message: 'login refused password=pa55-w0rd for app' },
    });
    const out = await everywhere(line, 'slack');
    expect(out.slack).toContain('AuthError');
    expect(out.slack).not.toContain('pa55-w0rd');
  });
});

describe('secret corpus: forms spread over the events of one stream', () => {
  it.each(STREAM_SECRET_FORMS.map((f, i) => [f.name, f, i] as const))('%s', async (_n, form, i) => {
    // Act
    const out = await everywhere(form.lines, `stream${i}`);
    // Assess: every line became a document and reached every place; no body line in any.
    expect(out.report.documents).toBe(form.lines.length);
    for (const secret of form.secrets) {
      expect(out.document).not.toContain(secret);
      expect(out.archive).not.toContain(secret);
      expect(out.deadLetter).not.toContain(secret);
      expect(out.slack).not.toContain(secret);
    }
    expect(out.archive).toContain('PRIVATE KEY-----');
    expect(out.document).toContain('_redacted');
  });
});

/** A Kinesis batch through recording sinks: every place a secret could reach, as text. */
async function kinesisEverywhere(data: (Buffer | string)[]) {
  const sinks = createRecordingSinks();
  const alerts = createDryRunAlertSink(config.alerts);
  sinks.alert = alerts;
  const records = data.map((d, i) => kinesisRecord(d, { seq: sequenceNumber(i) }));
  const { report } = await ingestKinesis(
    kinesisEvent(records),
    { config, sinks },
    Date.now() + 10_000,
  );
  const entries = sinks.deadLetters.flatMap((d) => d.entries);
  return {
    report,
    entries,
    docs: sinks.indexed.map((r) => r.doc),
    all: JSON.stringify([
      sinks.indexed.map((r) => r.doc),
      sinks.archived,
      entries,
      alerts.messages,
    ]),
  };
}

describe('secret corpus: each form inside a FireLens record and a Docker JSON line', () => {
  // JSON in JSON: the form's quotes are escaped as \" in the record, which the document walk of a
  // clean-looking line skips (redact.ts, onlyQuoteEscapes): each form must still be found.
  it.each(SECRET_FORMS.map((f, i) => [f.name, f, i] as const))('%s', async (_name, form) => {
    // Act
    const out = await kinesisEverywhere([
      fireLensLine(form.line),
      fireLensLine(JSON.stringify({ level: 'info', msg: form.line })),
      JSON.stringify({ log: `${form.line}\n`, stream: 'stdout', time: '2025-11-20T10:00:00Z' }),
    ]);
    // Assess: every record became a document, none of them holds the secret, each was tagged.
    expect(out.report.documents).toBe(3);
    for (const secret of form.secrets) expect(out.all).not.toContain(secret);
    for (const doc of out.docs) expect(doc.tags).toContain('_redacted');
  });
});

describe('secret corpus: one FireLens record per line of a PEM key', () => {
  it('masks the body lines across the records of one container', async () => {
    const out = await kinesisEverywhere(PEM_LINES.map((line) => fireLensLine(line)));
    expect(out.report.documents).toBe(PEM_LINES.length);
    for (const body of PEM_LINES.slice(1, -1)) expect(out.all).not.toContain(body);
    expect(out.all).toContain('BEGIN RSA PRIVATE KEY');
  });
});

describe('secret corpus: payloads refused after they decoded to text', () => {
  const subscription = (events: unknown) =>
    JSON.stringify({
      messageType: 'DATA_MESSAGE',
      owner: '1',
      logGroup: '/ecs/shop',
      logStream: 's',
      subscriptionFilters: [],
      logEvents: events,
    });
  const cases: [string, () => unknown, string][] = [
    [
      'CloudWatch Logs: valid gzip, invalid JSON',
      () => ({
        awslogs: {
          data: gzipSync('{"logEvents":[{"message":"password=gz-json-pw1"').toString('base64'),
        },
      }),
      'gz-json-pw1',
    ],
    [
      'CloudWatch Logs: valid JSON, wrong shape',
      () => ({
        awslogs: {
          data: gzipSync(
            subscription([
              { id: '1', timestamp: 1, message: { token: 'x' }, m: 'api_key=shape-ak-2' },
            ]),
          ).toString('base64'),
        },
      }),
      'shape-ak-2',
    ],
    [
      'CloudWatch Logs: not base64 at all',
      () => ({ awslogs: { data: 'db_password=not-b64-pw3 !' } }),
      'not-b64-pw3',
    ],
  ];

  it.each(cases)(
    '%s: the dead-letter entry holds the masked text',
    async (_name, event, secret) => {
      // Act
      const sinks = createRecordingSinks();
      const { report } = await ingestCloudWatchLogs(
        event() as never,
        { config, sinks },
        Date.now() + 10_000,
      );
      // Assess: dead-lettered and acknowledged, as text, masked; nothing else was written.
      const entries = sinks.deadLetters.flatMap((d) => d.entries);
      expect([...report.outcomes.values()]).toEqual(['dead-letter']);
      expect(entries.length).toBeGreaterThan(0);
      for (const e of entries) expect(e.source).toMatchObject({ raw_encoding: 'text' });
      const stored = JSON.stringify(entries);
      expect(stored).toContain('[REDACTED]');
      expect(stored).not.toContain(secret);
      expect(sinks.indexed).toEqual([]);
    },
  );

  it('Kinesis: a CloudWatch Logs payload of the wrong shape, and data that is no base64', async () => {
    const bad = gzipSync(
      subscription([{ id: '1', timestamp: 1, message: 7, note: 'secret=kin-shape-4' }]),
    );
    const notBase64 = kinesisRecord('x', { seq: sequenceNumber(1) });
    notBase64.kinesis.data = 'client_secret=kin-b64-5 !';
    const sinks = createRecordingSinks();
    const records = [kinesisRecord(bad, { seq: sequenceNumber(0) }), notBase64];
    const { report } = await ingestKinesis(
      kinesisEvent(records),
      { config, sinks },
      Date.now() + 10_000,
    );
    const entries = sinks.deadLetters.flatMap((d) => d.entries);
    expect(entries.map((e) => e.reason).sort()).toEqual(['decode_base64', 'decode_shape']);
    expect([...report.outcomes.values()]).toEqual(['dead-letter', 'dead-letter']);
    const stored = JSON.stringify(entries);
    expect(stored).not.toContain('kin-shape-4');
    expect(stored).not.toContain('kin-b64-5');
    expect(stored.match(/\[REDACTED\]/g)?.length).toBeGreaterThanOrEqual(2);
  });

  it('bytes that never became text stay as they came (corrupt gzip, binary data)', async () => {
    const corrupt = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.from('password=x')]);
    const binary = Buffer.from([0x00, 0x01, 0x70, 0x61, 0x73, 0x73]);
    const out = await kinesisEverywhere([corrupt, binary]);
    expect(out.entries.map((e) => [e.reason, e.raw])).toEqual([
      ['decode_gzip', corrupt.toString('base64')],
      ['decode_binary', binary.toString('base64')],
    ]);
  });
});
