import { describe, expect, it } from 'vitest';
import { createWebhookBook } from '#shared/alerts/webhooks.ts';
import { ConfigError, WebhookUnavailableError } from '#shared/errors.ts';

const soon = () => Date.now() + 1000;

describe('webhook book', () => {
  it('lets SLACK_WEBHOOK_URL stand in for every reference, fetching nothing', async () => {
    const book = createWebhookBook({
      refs: ['ssm:/a', undefined],
      override: 'http://127.0.0.1:4588/services/T/B/local',
    });
    expect(book.refs).toEqual([]);
    expect(await book.resolve('ssm:/a', soon())).toEqual({
      url: 'http://127.0.0.1:4588/services/T/B/local',
      name: 'SLACK_WEBHOOK_URL',
    });
  });

  it('falls back to the SSM parameter of SLACK_WEBHOOK_PARAM, and refuses a rule with no webhook at all', async () => {
    const book = createWebhookBook({
      refs: [undefined],
      defaultRef: 'ssm:/logferry/dev/slack-webhook',
    });
    expect(book.refs).toEqual(['ssm:/logferry/dev/slack-webhook']);
    book.loading(
      'ssm:/logferry/dev/slack-webhook',
      Promise.resolve('https://hooks.slack.com/services/T/B/secret'),
    );
    expect(await book.resolve(undefined, soon())).toEqual({
      url: 'https://hooks.slack.com/services/T/B/secret',
      name: 'ssm:/logferry/dev/slack-webhook',
    });
    expect(() => createWebhookBook({ refs: [undefined] })).toThrow(ConfigError);
  });

  it('names the reference when a fetch fails or holds no URL, never the value', async () => {
    const book = createWebhookBook({ refs: ['ssm:/a', 'secretsmanager:b'] });
    const denied = Object.assign(new Error('Failed to resolve internal values'), {
      cause: {
        data: [
          Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }),
        ],
      },
    });
    book.loading('ssm:/a', Promise.reject(denied));
    book.loading('secretsmanager:b', Promise.resolve('not a url but a secret'));
    const a = await book.resolve('ssm:/a', soon());
    const b = await book.resolve('secretsmanager:b', soon());
    expect(a).toBeInstanceOf(WebhookUnavailableError);
    expect((a as Error).message).toBe('webhook ssm:/a could not be fetched: AccessDeniedException');
    expect((b as Error).message).toBe('webhook secretsmanager:b does not hold an http(s) URL');
    expect((b as Error).message).not.toContain('secret but');
  });

  it('waits for a fetch in progress no longer than the deadline', async () => {
    const book = createWebhookBook({ refs: ['ssm:/slow'] });
    book.loading('ssm:/slow', new Promise(() => {}));
    const started = Date.now();
    const result = await book.resolve('ssm:/slow', Date.now() + 100);
    expect(Date.now() - started).toBeLessThan(500);
    expect(result).toBeInstanceOf(WebhookUnavailableError);
  });
});
