// Webhook URLs by reference: fetched from SSM / Secrets Manager through middy once per instance, never logged.
import type middy from '@middy/core';
import secretsManager from '@middy/secrets-manager';
import ssm from '@middy/ssm';
import { ConfigError, errorMessage, WebhookUnavailableError } from '#shared/errors.ts';
import type { Webhook } from './slack.ts';

export interface WebhookResolver {
  /**
   * The webhook for a rule's reference (the default one when undefined), waiting for a fetch in
   * progress no longer than `deadline`.
   */
  resolve(ref: string | undefined, deadline: number): Promise<Webhook | WebhookUnavailableError>;
}

export interface WebhookBook extends WebhookResolver {
  /** References to fetch; none when SLACK_WEBHOOK_URL overrides them all. */
  readonly refs: readonly string[];
  /** Takes a fetch in progress; the URL (or the failure) is read from it when an alert needs it. */
  loading(ref: string, value: Promise<unknown>): void;
}

/** The name under which SLACK_WEBHOOK_URL shows in errors. */
const OVERRIDE_NAME = 'SLACK_WEBHOOK_URL';

/** A stored value as a webhook URL: a plain string, or a JSON secret with a `url` / `webhook_url` key. */
function urlOf(value: unknown): string | undefined {
  const candidate =
    typeof value === 'object' && value !== null
      ? ((value as Record<string, unknown>).url ??
        (value as Record<string, unknown>).webhook_url ??
        (value as Record<string, unknown>).webhook)
      : value;
  if (typeof candidate !== 'string') return undefined;
  try {
    const url = new URL(candidate.trim());
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

interface Entry {
  url?: string;
  error?: WebhookUnavailableError;
  pending?: Promise<void>;
}

/**
 * Holds the webhook URLs of the alert rules. `override` (SLACK_WEBHOOK_URL, for local runs and tests)
 * replaces every reference; otherwise rules without a `webhook` use `defaultRef` (the SSM parameter
 * named by SLACK_WEBHOOK_PARAM). A rule left with no reference at all is a configuration error.
 *
 * @example
 * const book = createWebhookBook({ refs: ['ssm:/logferry/prod/slack-webhook'] });
 */
export function createWebhookBook(opts: {
  refs: readonly (string | undefined)[];
  defaultRef?: string;
  override?: string;
}): WebhookBook {
  const entries = new Map<string, Entry>();
  if (opts.override === undefined) {
    for (const ref of opts.refs) {
      const resolved = ref ?? opts.defaultRef;
      if (!resolved) {
        throw new ConfigError(
          'alerts: a rule has no webhook: set `webhook: ssm:/…` on the rule or the alerts section, or SLACK_WEBHOOK_PARAM',
          undefined,
          'alerts.rules',
        );
      }
      entries.set(resolved, {
        error: new WebhookUnavailableError(`webhook ${resolved} was not fetched`, resolved),
      });
    }
  }
  return {
    refs: [...entries.keys()],
    loading(ref, value) {
      const entry = entries.get(ref);
      if (!entry) return;
      entry.pending = value.then(
        (v) => {
          const url = urlOf(v);
          entry.url = url;
          entry.error = url
            ? undefined
            : new WebhookUnavailableError(`webhook ${ref} does not hold an http(s) URL`, ref);
        },
        (err: unknown) => {
          entry.url = undefined;
          // middy wraps the SDK errors; their names (ParameterNotFound, AccessDenied…) say what went wrong.
          const causes = (err as { cause?: { data?: unknown[] } }).cause?.data;
          const reason = Array.isArray(causes)
            ? causes.map((c) => (c as Error).name ?? errorMessage(c)).join(', ')
            : errorMessage(err);
          entry.error = new WebhookUnavailableError(
            `webhook ${ref} could not be fetched: ${reason}`,
            ref,
            {
              cause: err,
            },
          );
        },
      );
    },
    async resolve(ref, deadline) {
      if (opts.override !== undefined) return { url: opts.override, name: OVERRIDE_NAME };
      const name = ref ?? opts.defaultRef ?? '(none)';
      const entry = entries.get(name);
      if (!entry) return new WebhookUnavailableError(`webhook ${name} is not configured`, name);
      if (entry.pending) {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        });
        await Promise.race([entry.pending, timeout]);
        clearTimeout(timer);
      }
      if (entry.url) return { url: entry.url, name };
      return (
        entry.error ??
        new WebhookUnavailableError(`webhook ${name} still loading at the deadline`, name)
      );
    },
  };
}

/**
 * A middy middleware that starts fetching the webhook URLs (@middy/ssm, @middy/secrets-manager, cached
 * for the life of the instance) without waiting for them: indexing never waits on SSM, and a failed
 * fetch only costs the alerts of that invocation (it is tried again on the next one).
 *
 * @example
 * export const handler = middy(lambdaHandler).use(fetchWebhooks(runtime.webhooks, { region }));
 */
export function fetchWebhooks(
  book: WebhookBook,
  opts: { region?: string; endpoint?: string } = {},
): middy.MiddlewareObj {
  const awsClientOptions = {
    region: opts.region,
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
  };
  const fetchers = book.refs.map((ref, i) => {
    // One middleware per reference, each with its own cache: one failing parameter cannot spoil the others.
    const key = `logferryWebhook${i}`;
    const common = {
      awsClientOptions,
      cacheKey: `logferry-webhook-${i}`,
      cacheExpiry: -1,
      disablePrefetch: true,
    };
    const middleware = ref.startsWith('ssm:')
      ? ssm({ ...common, fetchData: { [key]: ref.slice('ssm:'.length) } })
      : secretsManager({ ...common, fetchData: { [key]: ref.slice('secretsmanager:'.length) } });
    return { ref, key, before: middleware.before! };
  });
  return {
    before: async (request) => {
      for (const f of fetchers) {
        try {
          await f.before(request as never);
          book.loading(
            f.ref,
            Promise.resolve((request.internal as Record<string, unknown>)[f.key]),
          );
        } catch (err) {
          book.loading(f.ref, Promise.reject(err));
        }
      }
    },
  };
}
