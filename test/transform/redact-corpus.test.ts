import { describe, expect, it } from 'vitest';
import { parseConfig } from '#shared/config/file.ts';
import { createDryRunAlertSink } from '#shared/runtime.ts';
import { createRecordingSinks } from '#shared/sinks/recording.ts';
import { ingestCloudWatchLogs } from '#shared/sources/cloudwatch-logs.ts';
import { awslogsEvent, messageOf } from '#test/helpers/events.ts';
import { SECRET_FORMS } from '#test/helpers/secret-forms.ts';

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
async function everywhere(line: string, seed: string) {
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
    awslogsEvent(messageOf([line], { seed, group: '/ecs/shop' })),
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
  it('holds 57 forms', () => {
    expect(SECRET_FORMS).toHaveLength(57);
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
