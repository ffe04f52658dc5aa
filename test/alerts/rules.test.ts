import { describe, expect, it } from 'vitest';
import { compileAlertRules, matchRule } from '#shared/alerts/rules.ts';
import { configWith, jsonError, routedOf } from '#test/helpers/alerts.ts';
import { yamlError } from '#test/helpers/config.ts';

const nginxAccess500 =
  '203.0.113.9 - - [20/Nov/2025:10:00:01 +0000] "POST /api/checkout HTTP/1.1" 502 166 "-" "curl/8.4.0"';
const nginxAccess200 =
  '203.0.113.9 - - [20/Nov/2025:10:00:01 +0000] "GET / HTTP/1.1" 200 612 "-" "curl/8.4.0"';
const nginxErrorCrit =
  '2025/11/20 10:00:05 [crit] 29#29: *1201 SSL_do_handshake() failed while SSL handshaking';
const nginxErrorWarn =
  '2025/11/20 10:00:04 [warn] 29#29: *1190 an upstream response is buffered to a temporary file';

function rulesOf(alerts: unknown) {
  return compileAlertRules(configWith(alerts).alerts);
}

function matched(alerts: unknown, lines: string[], opts: { group?: string; stream?: string } = {}) {
  const rules = rulesOf(alerts);
  return routedOf(lines, opts).map((r) => matchRule(rules, r.doc, r.group)?.name);
}

describe('alert rules', () => {
  it('by default watch error and application logs at error or fatal, not access logs', () => {
    const alerts = { rules: [{ name: 'errors' }] };
    const lines = [
      jsonError('payment failed'),
      JSON.stringify({ level: 30, msg: 'order created' }),
      JSON.stringify({ level: 40, msg: 'provider slow' }),
      JSON.stringify({ level: 60, msg: 'out of memory' }),
      nginxAccess500,
    ];
    expect(matched(alerts, lines)).toEqual(['errors', undefined, undefined, 'errors', undefined]);
  });

  it('leave web-server warnings out but take their errors', () => {
    expect(
      matched({ rules: [{ name: 'e' }] }, [nginxErrorCrit, nginxErrorWarn], {
        group: '/ecs/web/nginx',
      }),
    ).toEqual(['e', undefined]);
  });

  it('watch access logs only when asked, by HTTP status range (level does not apply)', () => {
    const alerts = { rules: [{ name: '5xx', log_type: 'access', status: { min: 500 } }] };
    expect(matched(alerts, [nginxAccess500, nginxAccess200])).toEqual(['5xx', undefined]);
  });

  it('match log group and stream globs, a regex on message, error.message or error.type, and levels', () => {
    const alerts = {
      rules: [
        { name: 'api-timeouts', log_group: '/ecs/api*', log_stream: 'web/**', regex: 'Timeout' },
        { name: 'warn-up', level: ['warn', 'error'], regex: 'slow' },
      ],
    };
    const lines = [
      jsonError('request failed', { type: 'TimeoutError', message: 'after 30s' }),
      jsonError('TimeoutError on upstream'),
      JSON.stringify({ level: 40, msg: 'provider slow' }),
    ];
    expect(matched(alerts, lines, { group: '/ecs/api-v2', stream: 'web/task/1' })).toEqual([
      'api-timeouts',
      'api-timeouts',
      'warn-up',
    ]);
    expect(matched(alerts, lines, { group: '/ecs/worker', stream: 'web/task/1' })).toEqual([
      undefined,
      undefined,
      'warn-up',
    ]);
    expect(matched(alerts, lines, { group: '/ecs/api', stream: 'other' })).toEqual([
      undefined,
      undefined,
      'warn-up',
    ]);
  });

  it('first match wins, as with routes', () => {
    const alerts = { rules: [{ name: 'payments', regex: 'payment' }, { name: 'all' }] };
    expect(matched(alerts, [jsonError('payment failed'), jsonError('disk full')])).toEqual([
      'payments',
      'all',
    ]);
  });

  it('settle thresholds and windows from the section defaults', () => {
    const [a, b] = rulesOf({
      window: '5m',
      webhook: 'ssm:/logferry/dev/slack',
      rules: [
        { name: 'a' },
        {
          name: 'b',
          window: '1h',
          threshold: { count: 5, window: '1m' },
          webhook: 'secretsmanager:team/slack',
        },
      ],
    });
    expect(a).toMatchObject({
      windowMs: 300_000,
      threshold: 1,
      thresholdWindowMs: 300_000,
      webhook: 'ssm:/logferry/dev/slack',
    });
    expect(b).toMatchObject({
      windowMs: 3_600_000,
      threshold: 5,
      thresholdWindowMs: 60_000,
      webhook: 'secretsmanager:team/slack',
    });
  });
});

describe('alerts configuration', () => {
  const configError = (yaml: string) => yamlError(`version: 1\nalerts:\n${yaml}`, 'my.yml');

  it('has no rules, a 10 minute window and the logferry-alerts index by default', () => {
    const config = configWith(undefined);
    expect(config.alerts).toMatchObject({
      rules: [],
      window: 600_000,
      time_budget: 10_000,
      state_index: 'logferry-alerts',
    });
  });

  it('refuses a literal webhook URL without repeating it', () => {
    const err = configError(
      '  rules: [{ name: a, webhook: "https://hooks.slack.com/services/T0/B0/secret" }]\n',
    );
    expect(err.path).toBe('alerts.rules[0].webhook');
    expect(err.message).toMatch(/secret.*SSM/);
    expect(err.message).not.toContain('hooks.slack.com');
  });

  it('names the path and reason of bad rules', () => {
    expect(configError('  rules: [{ name: a, levle: error }]\n').message).toMatch(
      /alerts\.rules\[0\]: unknown key\(s\): levle/,
    );
    expect(configError('  rules: [{ name: a, regex: "(" }]\n').message).toMatch(
      /alerts\.rules\[0\]\.regex: not a valid regular expression/,
    );
    expect(configError('  rules: [{ name: a, status: { min: 500, max: 400 } }]\n').path).toBe(
      'alerts.rules[0].status',
    );
    expect(configError('  window: 10 minutes\n').message).toMatch(
      /alerts\.window: a duration like 30s, 10m or 1h/,
    );
    expect(configError('  rules: [{ name: a }, { name: a }]\n').message).toMatch(
      /rule names must be unique/,
    );
    expect(configError('  rules: [{ name: a, webhook: "vault:x" }]\n').message).toMatch(
      /ssm:\/parameter\/name or secretsmanager:secret-name/,
    );
  });
});
