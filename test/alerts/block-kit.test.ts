import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fitMrkdwn,
  MAX_GROUPS_SHOWN,
  renderAlertMessage,
  SLACK_LIMITS,
  type SlackMessage,
} from '#shared/alerts/block-kit.ts';
import { type AlertGroup, groupMatches } from '#shared/alerts/group.ts';
import { compileAlertRules } from '#shared/alerts/rules.ts';
import { createRedactor, REDACT_RULES } from '#shared/transform/redact.ts';
import { configWith, jsonError, routedOf } from '#test/helpers/alerts.ts';

const [rule] = compileAlertRules(configWith({ rules: [{ name: 'errors' }] }).alerts);

function group(overrides: Partial<AlertGroup> = {}): AlertGroup {
  return {
    id: 'errors:0123456789abcdef:2025-11-20T10:00:00.000Z',
    rule: rule!,
    fingerprint: '0123456789abcdef',
    normalized: 'TimeoutError: upstream timed out after <id>',
    count: 3,
    first: Date.UTC(2025, 10, 20, 10, 0, 7),
    last: Date.UTC(2025, 10, 20, 10, 0, 9),
    windowStart: Date.UTC(2025, 10, 20, 10),
    logType: 'error',
    level: 'error',
    logGroup: '/ecs/api',
    logStreams: ['api/web/1'],
    streams: 1,
    region: 'eu-west-1',
    errorType: 'TimeoutError',
    topFrame: 'at fetch (/app/client.js:10:3)',
    message: 'upstream timed out after 30s',
    sample: '{"level":50,"msg":"upstream timed out after 30s"}',
    sampleStream: 'api/web/1',
    eventIds: ['e1', 'e2', 'e3'],
    ...overrides,
  };
}

/** Every limit Slack enforces on what we send. */
function expectWithinLimits(message: SlackMessage): void {
  expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
  expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.text);
  for (const block of message.blocks) {
    const b = block as { type: string; text?: { text: string }; elements?: { text: string }[] };
    if (b.type === 'header')
      expect(b.text!.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    if (b.type === 'section')
      expect(b.text!.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    if (b.type === 'context') {
      expect(b.elements!.length).toBeLessThanOrEqual(SLACK_LIMITS.contextElements);
      for (const e of b.elements!)
        expect(e.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    }
  }
}

const redactor = createRedactor({ rules: REDACT_RULES });

describe('renderAlertMessage', () => {
  it('shows count, times, group and stream, error type, top frame, a sample and both links', () => {
    // Act
    const message = renderAlertMessage([group()], {
      dashboardsUrl: 'https://dash.example.com/_dashboards/',
      redact: redactor.text,
    });
    // Assess
    expectWithinLimits(message);
    const [header, summary, sample, links] = message.blocks as {
      type: string;
      text?: { text: string };
      elements?: { text: string }[];
    }[];
    expect(header!.text!.text).toBe('🚨 logferry: 1 error (3 events) in /ecs/api');
    expect(summary!.text!.text).toContain('*TimeoutError: upstream timed out after 30s*');
    expect(summary!.text!.text).toContain('*3×* between <!date^1763632807^');
    expect(summary!.text!.text).toContain('`/ecs/api` › `api/web/1`');
    expect(summary!.text!.text).toContain('Top frame `at fetch (/app/client.js:10:3)`');
    expect(sample!.text!.text).toBe('```{"level":50,"msg":"upstream timed out after 30s"}```');
    const linkText = links!.elements![0]!.text;
    expect(linkText).toContain(
      '<https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Fecs$252Fapi/log-events/api$252Fweb$252F1$3Fstart$3D1763632747000$26end$3D1763632869000|CloudWatch Logs>',
    );
    expect(linkText).toContain(
      '<https://dash.example.com/_dashboards/app/discover#/?_g=(time:(from:',
    );
    expect(linkText).toContain('error.type:%22TimeoutError%22');
    expect(message.text).toContain('TimeoutError: upstream timed out after 30s');
  });

  it('escapes mrkdwn and keeps a code block from being closed by the sample', () => {
    const message = renderAlertMessage([
      group({ message: '<script> & <b>', sample: 'a ```b``` <c>' }),
    ]);
    const texts = JSON.stringify(message.blocks);
    expect(texts).toContain('&lt;script&gt; &amp; &lt;b&gt;');
    expect(texts).toContain("```a '''b''' &lt;c&gt;```");
  });

  it('redacts what it shows, even when the pipeline did not', () => {
    const message = renderAlertMessage(
      [
        group({
          message: 'login failed for jane@example.com',
          sample: 'token AKIAABCDEFGHIJKLMNOP',
        }),
      ],
      {
        redact: redactor.text,
      },
    );
    const texts = JSON.stringify(message);
    expect(texts).not.toContain('jane@example.com');
    expect(texts).not.toContain('AKIAABCDEFGHIJKLMNOP');
  });

  it('stays within Slack limits with huge messages and stack traces', () => {
    const huge = 'x'.repeat(100_000);
    const trace = `Error: ${huge}\n${Array.from({ length: 5000 }, (_, i) => `    at f${i} (/app/${huge.slice(0, 500)}.js:${i}:1)`).join('\n')}`;
    const [g] = groupMatches(
      routedOf([jsonError(huge, { type: 'E'.repeat(5000), message: huge, stack: trace })], {
        group: `/ecs/${'g'.repeat(500)}`,
      }),
      [rule!],
    );
    const message = renderAlertMessage([g!], { dashboardsUrl: 'https://dash.example.com' });
    expectWithinLimits(message);
    // Links that would be too long are left out rather than cut.
    for (const block of message.blocks)
      expect(JSON.stringify(block)).not.toMatch(/<https[^|]{2001,}\|/);
  });

  it('holds many fingerprints in one message of at most 50 blocks, summing up the rest', () => {
    const groups = Array.from({ length: 40 }, (_, i) =>
      group({ fingerprint: `fp${i}`, message: `error number ${i} ${'y'.repeat(200)}` }),
    );
    const message = renderAlertMessage(groups, { dashboardsUrl: 'https://dash.example.com' });
    expectWithinLimits(message);
    const last = message.blocks.at(-1) as { text: { text: string } };
    expect(last.text.text).toMatch(
      new RegExp(`^…and ${40 - MAX_GROUPS_SHOWN} more fingerprints: 3× TimeoutError`),
    );
  });

  it('stays within limits for any text (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            message: fc.string({ unit: 'binary', maxLength: 4000 }),
            sample: fc.string({ unit: 'binary', maxLength: 4000 }),
            logGroup: fc.string({ unit: 'binary', minLength: 1, maxLength: 600 }),
            topFrame: fc.option(fc.string({ unit: 'binary', maxLength: 600 }), { nil: undefined }),
            errorType: fc.option(fc.string({ unit: 'binary', maxLength: 600 }), { nil: undefined }),
          }),
          { minLength: 1, maxLength: 25 },
        ),
        (items) => {
          expectWithinLimits(
            renderAlertMessage(
              items.map((i) => group(i)),
              { dashboardsUrl: 'https://d.example.com' },
            ),
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('fitMrkdwn', () => {
  it('never cuts an entity or a surrogate pair', () => {
    expect(fitMrkdwn('a&b', 7)).toBe('a&amp;b');
    expect(fitMrkdwn('a&b', 6)).toBe('a…');
    expect(fitMrkdwn('😀😀😀', 4)).toBe('😀…');
  });
});

describe('links', () => {
  it('carry no masked value in the Discover query', () => {
    const message = renderAlertMessage(
      [group({ normalized: 'login failed for jane@example.com', errorType: undefined })],
      {
        dashboardsUrl: 'https://dash.example.com',
        redact: redactor.text,
      },
    );
    const links = JSON.stringify(message.blocks.at(-1));
    expect(links).toContain('OpenSearch Discover');
    expect(links).not.toContain('jane');
  });
});
