// The alert stage: delivered documents → rule matches → deduped, rate-limited Slack messages. Never throws.
import type { AlertsConfig } from '#shared/config/schema.ts';
import { errorMessage } from '#shared/errors.ts';
import type { Routed } from '#shared/model.ts';
import { type AlertCounts, type AlertSink, emptyAlertCounts } from '#shared/sinks/types.ts';
import { createRedactor, REDACT_RULES } from '#shared/transform/redact.ts';
import { renderAlertMessage, type SlackMessage } from './block-kit.ts';
import { type AlertGroup, groupMatches } from './group.ts';
import { dashboardsBase } from './links.ts';
import { type AlertRule, compileAlertRules, matchRule } from './rules.ts';
import type { SlackPoster, Webhook } from './slack.ts';
import type { AlertRecord, AlertStateStore } from './state.ts';
import type { WebhookResolver } from './webhooks.ts';

export interface AlertSinkOptions {
  config: AlertsConfig;
  state: AlertStateStore;
  slack: SlackPoster;
  webhooks: WebhookResolver;
  /** Region for console links of documents without `cloud.region`. */
  region?: string;
  /** The Dashboards derived from the OpenSearch endpoint; `alerts.links.dashboards_url` wins over it. */
  dashboardsUrl?: string;
  /** The id of an index prefix's `<prefix>-*` index pattern, for Discover links. */
  indexPatternOf?: (prefix: string) => string;
  now?: () => number;
}

const MAX_ERRORS = 10;
const MESSAGE_CHARS = 1000;

function recordOf(g: AlertGroup, redact: (s: string) => string): AlertRecord {
  return {
    id: g.id,
    rule: g.rule.name,
    fingerprint: g.fingerprint,
    windowStart: g.windowStart,
    windowEnd: g.windowStart + g.rule.windowMs,
    first: g.first,
    last: g.last,
    count: g.count,
    logGroup: g.logGroup,
    logStreams: g.logStreams,
    logType: g.logType,
    level: g.level,
    errorType: g.errorType,
    message: redact(g.message).slice(0, MESSAGE_CHARS),
    webhook: g.rule.webhook,
  };
}

/**
 * Remembers, per instance, the alerts known to be claimed, so a noisy error costs no state request
 * on every invocation; entries leave when their window ends.
 */
class ClaimMemo {
  private readonly until = new Map<string, number>();
  has(id: string, now: number): boolean {
    const end = this.until.get(id);
    if (end === undefined) return false;
    if (end > now) return true;
    this.until.delete(id);
    return false;
  }
  add(id: string, end: number): void {
    if (this.until.size > 10_000) this.until.clear();
    this.until.set(id, end);
  }
  delete(id: string): void {
    this.until.delete(id);
  }
}

/**
 * Builds the alert stage. Per batch: match and group (pure); hold back fingerprints below their
 * threshold; claim each (rule, fingerprint, window) in the state store, where an existing claim means
 * another invocation alerted already; post one message per webhook; keep the claims that were sent and
 * release those that were not, so a later invocation tries again. A state store that does not answer
 * does not silence alerts: they go out unclaimed (a duplicate beats a missed error).
 *
 * @example
 * const sink = createAlertSink({ config: config.alerts, state, slack: createSlackClient(), webhooks });
 * const counts = await sink.alert(delivered, deadline);
 */
export function createAlertSink(opts: AlertSinkOptions): AlertSink {
  const rules = compileAlertRules(opts.config);
  const now = opts.now ?? Date.now;
  const redactor = createRedactor({ rules: REDACT_RULES });
  const redact = (s: string) => redactor.text(s);
  const memo = new ClaimMemo();
  const dashboardsUrl = dashboardsBase(opts.config.links, opts.dashboardsUrl);

  async function belowThreshold(
    groups: AlertGroup[],
    counts: AlertCounts,
    deadline: number,
  ): Promise<AlertGroup[]> {
    return (
      await Promise.all(
        groups.map(async (g) => {
          const rule = g.rule;
          if (rule.threshold <= 1 || g.eventIds.length >= rule.threshold) return g;
          const bucket = Math.floor(g.first / rule.thresholdWindowMs) * rule.thresholdWindowMs;
          const key = `threshold:${rule.name}:${g.fingerprint}:${new Date(bucket).toISOString()}`;
          try {
            const seen = await opts.state.count(key, g.eventIds, rule.threshold, deadline);
            if (seen >= rule.threshold) return g;
          } catch (err) {
            // Without a count, staying quiet is the lesser evil: a threshold rule exists to cut noise.
            note(counts, errorMessage(err));
          }
          counts.belowThreshold++;
          return undefined;
        }),
      )
    ).filter((g): g is AlertGroup => g !== undefined);
  }

  async function deliver(
    groups: AlertGroup[],
    counts: AlertCounts,
    deadline: number,
  ): Promise<{ sent: AlertGroup[]; dropped: AlertGroup[] }> {
    const byWebhook = new Map<string, { webhook: Webhook; groups: AlertGroup[] }>();
    const dropped: AlertGroup[] = [];
    const resolved = new Map<string | undefined, Awaited<ReturnType<WebhookResolver['resolve']>>>();
    for (const g of groups) {
      if (!resolved.has(g.rule.webhook))
        resolved.set(g.rule.webhook, await opts.webhooks.resolve(g.rule.webhook, deadline));
      const webhook = resolved.get(g.rule.webhook)!;
      if (webhook instanceof Error) {
        note(counts, webhook.message);
        dropped.push(g);
        continue;
      }
      const slot = byWebhook.get(webhook.url) ?? { webhook, groups: [] };
      slot.groups.push(g);
      byWebhook.set(webhook.url, slot);
    }
    const sent: AlertGroup[] = [];
    await Promise.all(
      [...byWebhook.values()].map(async ({ webhook, groups: batch }) => {
        const message: SlackMessage = renderAlertMessage(batch, {
          region: opts.region,
          dashboardsUrl,
          indexPattern: opts.config.links.index_pattern,
          indexPatternOf: opts.indexPatternOf,
          redact,
        });
        const result = await opts.slack.post(webhook, message, deadline);
        if (result.ok) {
          counts.messages++;
          sent.push(...batch);
        } else {
          note(counts, `${batch.length} alert(s) dropped: ${result.error.message}`);
          dropped.push(...batch);
        }
      }),
    );
    return { sent, dropped };
  }

  async function run(
    items: readonly Routed[],
    deadline: number,
    counts: AlertCounts,
  ): Promise<void> {
    const grouped = groupMatches(items, rules);
    if (grouped.length === 0) return;
    for (const g of grouped) counts.matched += g.count;
    const start = now();
    if (start >= deadline) {
      counts.dropped += grouped.length;
      note(counts, `${grouped.length} alert(s) dropped: no time left after delivery`);
      return;
    }
    const due = await belowThreshold(grouped, counts, deadline);

    const fresh: AlertGroup[] = [];
    for (const g of due) {
      if (memo.has(g.id, start)) counts.suppressed++;
      else fresh.push(g);
    }
    if (fresh.length === 0) return;
    const { results, error } = await opts.state.claim(
      fresh.map((g) => recordOf(g, redact)),
      deadline,
    );
    if (error) note(counts, error);
    const claimed: AlertGroup[] = [];
    const unclaimed: AlertGroup[] = [];
    for (const g of fresh) {
      const result = results.get(g.id);
      if (result === 'exists') {
        counts.suppressed++;
        memo.add(g.id, g.windowStart + g.rule.windowMs);
      } else if (result === 'claimed') claimed.push(g);
      else unclaimed.push(g);
    }
    const toSend = [...claimed, ...unclaimed];
    if (toSend.length === 0) return;

    const { sent, dropped } = await deliver(toSend, counts, deadline);
    counts.sent += sent.length;
    counts.dropped += dropped.length;
    for (const g of sent) memo.add(g.id, g.windowStart + g.rule.windowMs);
    const claimedIds = new Set(claimed.map((g) => g.id));
    const settleSent = sent.filter((g) => claimedIds.has(g.id)).map((g) => g.id);
    const release = dropped.filter((g) => claimedIds.has(g.id)).map((g) => g.id);
    if (settleSent.length === 0 && release.length === 0) return;
    try {
      await opts.state.settle(settleSent, release, deadline, now());
    } catch (err) {
      note(counts, errorMessage(err));
    }
  }

  return {
    claims: (items) =>
      rules.length === 0 ? [] : items.filter((i) => matchRule(rules, i.doc, i.group) !== undefined),
    async alert(items, deadline) {
      const counts = emptyAlertCounts();
      if (rules.length === 0 || items.length === 0) return counts;
      const end = Math.min(deadline, now() + opts.config.time_budget);
      try {
        await run(items, end, counts);
      } catch (err) {
        // Alerts never fail a batch; whatever went wrong is counted and reported.
        note(counts, `alert stage failed: ${errorMessage(err)}`);
      }
      return counts;
    },
  };
}

function note(counts: AlertCounts, error: string): void {
  if (counts.errors.length < MAX_ERRORS && !counts.errors.includes(error))
    counts.errors.push(error);
}

export type { AlertRule };
