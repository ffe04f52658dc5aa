// Renders alert groups as one Slack Block Kit message that always fits Slack's limits. Pure.
import type { AlertGroup } from './group.ts';
import { cloudWatchStreamUrl, discoverUrl, fingerprintQuery, indexPrefixOf } from './links.ts';

/** Slack's limits (https://api.slack.com/reference/block-kit/blocks). */
export const SLACK_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  headerText: 150,
  contextElements: 10,
  /** Longest URL we put in a link; longer ones are left out rather than cut (a cut URL is wrong). */
  url: 2000,
  /** Top-level `text`, shown in notifications. */
  text: 3000,
} as const;

const BLOCKS_PER_GROUP = 3;
/** Header, and the summary of groups that did not fit. */
const FIXED_BLOCKS = 2;
export const MAX_GROUPS_SHOWN = Math.floor((SLACK_LIMITS.blocks - FIXED_BLOCKS) / BLOCKS_PER_GROUP);
const SAMPLE_CHARS = 1500;
const TITLE_CHARS = 300;

export type SlackBlock = Record<string, unknown>;
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

export interface RenderOptions {
  /** Region for console links when a document does not carry `cloud.region`. */
  region?: string;
  /** OpenSearch Dashboards base URL; no Discover link without it. */
  dashboardsUrl?: string;
  /** Index pattern id Discover opens; when unset, `indexPatternOf` the prefix of the group's index. */
  indexPattern?: string;
  /** The id of an index prefix's `<prefix>-*` pattern (the one `npm run bootstrap` imports). */
  indexPatternOf?: (prefix: string) => string;
  /** Masks secrets in what is shown; the pipeline redacted already, Slack is read by more people. */
  redact?: (text: string) => string;
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Escapes text for mrkdwn and cuts it to at most `max` characters (UTF-16 units, as Slack counts),
 * never inside an entity or a surrogate pair, ending with `…` when cut.
 */
export function fitMrkdwn(text: string, max: number): string {
  const escaped = text.replace(/[&<>]/g, (c) => ENTITIES[c] ?? c);
  if (escaped.length <= max) return escaped;
  let out = '';
  for (const ch of text) {
    const piece = ENTITIES[ch] ?? ch;
    if (out.length + piece.length > max - 1) break;
    out += piece;
  }
  return `${out}…`;
}

/** Plain text (headers, fallback): no escaping, cut to `max`. */
export function fitPlain(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  for (const ch of text) {
    if (out.length + ch.length > max - 1) break;
    out += ch;
  }
  return `${out}…`;
}

/** Inline code that a backtick in the value cannot close early. */
function code(text: string, max: number): string {
  return `\`${fitMrkdwn(text.replace(/`/g, "'"), max - 2)}\``;
}

/** A date Slack shows in the reader's time zone, with UTC as the fallback text. */
function slackDate(ms: number): string {
  const iso = new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time_secs}|${iso}>`;
}

function link(url: string | undefined, label: string): string | undefined {
  if (!url || url.length > SLACK_LIMITS.url) return undefined;
  return `<${url.replace(/\|/g, '%7C').replace(/>/g, '%3E').replace(/</g, '%3C')}|${label}>`;
}

function firstLine(text: string): string {
  const nl = text.indexOf('\n');
  return nl < 0 ? text : text.slice(0, nl);
}

function title(g: AlertGroup, redact: (s: string) => string): string {
  const message = redact(firstLine(g.message));
  if (g.errorType && !message.startsWith(g.errorType)) return `${g.errorType}: ${message}`;
  return message || g.errorType || '(empty message)';
}

function summaryText(g: AlertGroup, redact: (s: string) => string): string {
  const when =
    g.count === 1
      ? `at ${slackDate(g.first)}`
      : `between ${slackDate(g.first)} and ${slackDate(g.last)}`;
  const lines = [
    `*${fitMrkdwn(title(g, redact), TITLE_CHARS)}*`,
    `*${g.count}×* ${when} · rule ${code(g.rule.name, 80)} · ${g.logType}${g.level ? `/${g.level}` : ''}${g.status ? ` · HTTP ${g.status}` : ''}`,
  ];
  if (g.kinesisStream) lines.push(`Kinesis stream ${code(g.kinesisStream, 300)}`);
  else if (g.logGroup) {
    const more = g.streams > 1 ? ` (+${g.streams - 1} more)` : '';
    const stream = g.sampleStream ? ` › ${code(g.sampleStream, 200)}${more}` : '';
    lines.push(`${code(g.logGroup, 300)}${stream}`);
  }
  if (g.topFrame) lines.push(`Top frame ${code(redact(g.topFrame), 320)}`);
  lines.push(`Fingerprint ${code(g.fingerprint, 20)}`);
  // Every line is capped above, so the section stays far below 3,000 characters.
  return lines.join('\n');
}

function sampleText(g: AlertGroup, redact: (s: string) => string): string {
  const sample = redact(g.sample).replace(/```/g, "'''");
  return `\`\`\`${fitMrkdwn(sample, Math.min(SAMPLE_CHARS, SLACK_LIMITS.sectionText - 6))}\`\`\``;
}

function patternOfGroup(g: AlertGroup, opts: RenderOptions): string | undefined {
  const prefix = indexPrefixOf(g.index, g.logType);
  return prefix ? opts.indexPatternOf?.(prefix) : undefined;
}

function linkElements(g: AlertGroup, opts: RenderOptions): SlackBlock[] {
  const region = g.region ?? opts.region;
  const links: string[] = [];
  // Kinesis data names a stream, not a log group: a console link would open a group that is not there.
  if (region && g.logGroup && !g.kinesisStream) {
    const cw = link(
      cloudWatchStreamUrl({
        region,
        logGroup: g.logGroup,
        logStream: g.sampleStream,
        from: g.first,
        to: g.last,
      }),
      'CloudWatch Logs',
    );
    if (cw) links.push(cw);
  }
  if (opts.dashboardsUrl) {
    const query = fingerprintQuery({
      logGroup: g.logGroup,
      kinesisStream: g.kinesisStream,
      errorType: g.errorType,
      // The query travels in a URL: mask what the reader may not see.
      normalized: (opts.redact ?? ((t: string) => t))(g.normalized),
    });
    const d = link(
      discoverUrl({
        baseUrl: opts.dashboardsUrl,
        indexPattern: opts.indexPattern ?? patternOfGroup(g, opts),
        query,
        from: g.first,
        to: g.last,
      }),
      'OpenSearch Discover',
    );
    if (d) links.push(d);
  }
  if (links.length === 0) return [];
  return [{ type: 'context', elements: [{ type: 'mrkdwn', text: links.join('  ·  ') }] }];
}

function overflowText(rest: readonly AlertGroup[], redact: (s: string) => string): string {
  const head = `…and ${rest.length} more fingerprint${rest.length === 1 ? '' : 's'}: `;
  const items = rest.map((g) => `${g.count}× ${title(g, redact)}`).join(' · ');
  return fitMrkdwn(head + items, SLACK_LIMITS.sectionText);
}

/**
 * One message for the alert groups of an invocation: a header, then per fingerprint a summary (count,
 * first and last time, log group and stream, error type, top frame), one sample line and the links;
 * groups past what 50 blocks hold are summed up in a last section.
 *
 * @example
 * const message = renderAlertMessage(groups, { region: 'eu-west-1', redact: redactor.text });
 * await slack.post(url, message, deadline);
 */
export function renderAlertMessage(
  groups: readonly AlertGroup[],
  opts: RenderOptions = {},
): SlackMessage {
  const redact = opts.redact ?? ((s: string) => s);
  const events = groups.reduce((n, g) => n + g.count, 0);
  const headline = `logferry: ${groups.length} error${groups.length === 1 ? '' : 's'} (${events} event${events === 1 ? '' : 's'})${groups[0]?.logGroup ? ` in ${groups[0].logGroup}${groups.some((g) => g.logGroup !== groups[0]?.logGroup) ? ' and more' : ''}` : ''}`;
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: fitPlain(`🚨 ${headline}`, SLACK_LIMITS.headerText),
        emoji: true,
      },
    },
  ];
  const shown = groups.slice(0, MAX_GROUPS_SHOWN);
  for (const g of shown) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: summaryText(g, redact) } });
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: sampleText(g, redact) } });
    blocks.push(...linkElements(g, opts));
  }
  const rest = groups.slice(MAX_GROUPS_SHOWN);
  if (rest.length > 0)
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: overflowText(rest, redact) } });
  const first = groups[0];
  const text = fitMrkdwn(
    `${headline}${first ? `: ${title(first, redact)}` : ''}`,
    SLACK_LIMITS.text,
  );
  return { text, blocks };
}
