// Schema of the parts of logferry.yml that match events (routes, drop rules, redaction, alert rules) and the field types they share.
import * as z from 'zod';
import { linearRegexError } from '#shared/linear-regex.ts';
import { DATASETS, type Level, LOG_TYPES } from '#shared/model.ts';
import { REDACT_RULES } from '#shared/transform/redact.ts';

/**
 * A regular expression in RE2 syntax, compiled here so a bad one fails validation, not a batch. RE2
 * matches in linear time whatever the pattern (a user's `(a+)+` cannot stall a shard); it has no
 * lookaround and no backreferences.
 */
export const regex = z.string().superRefine((source, ctx) => {
  const error = linearRegexError(source);
  if (error !== undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `not a valid regular expression (RE2 syntax, matched in linear time): ${error}`,
    });
  }
});

const timezone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not an IANA time zone (e.g. UTC, Europe/Paris)' },
);

/** Index names and prefixes: what OpenSearch accepts. */
export const indexPrefix = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]*$/, 'index prefixes are lowercase letters, digits, -, _ and .');

const matchSchema = z.strictObject({
  /** Glob on the log group (or Kinesis stream name): `*` within a path segment, `**` across. */
  log_group: z.string().min(1).optional(),
  log_stream: z.string().min(1).optional(),
});

const dataset = z.enum(DATASETS as [string, ...string[]]);
const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** Drops matching events (counted by rule name, never delivered); a rule with no condition drops all. */
export const dropRuleSchema = z
  .strictObject({
    name: z.string().min(1),
    dataset: z.union([dataset, z.array(dataset).min(1)]).optional(),
    /** Dotted document path (`url.original`, `http.response.status_code`); `message` by default. */
    field: z.string().min(1).optional(),
    equals: z.union([scalar, z.array(scalar).min(1)]).optional(),
    regex: regex.optional(),
  })
  .refine((r) => r.field === undefined || r.equals !== undefined || r.regex !== undefined, {
    message: 'a rule with a field needs `equals` or `regex`',
    path: ['field'],
  });

export const redactObject = z.strictObject({
  enabled: z.boolean().default(true),
  // Secrets by default; email addresses are often what a team searches logs for, so they are opt-in.
  rules: z.array(z.enum(REDACT_RULES)).default(REDACT_RULES.filter((r) => r !== 'email')),
  patterns: z.array(z.strictObject({ name: z.string().min(1), regex })).default([]),
  replacement: z.string().default('[REDACTED]'),
});

/** `redact: false` is short for `{ enabled: false }`; a plain object keeps zod's errors precise. */
export const redactSchema = z.preprocess(
  (v) => (v === false ? { enabled: false } : v),
  redactObject,
);

export const routeSchema = z.strictObject({
  name: z.string().min(1),
  match: matchSchema,
  /** A built-in parser (dataset name) or the name of a declared format (checked against `formats`). */
  parser: z.string().min(1).optional(),
  log_type: z.enum(LOG_TYPES as [string, ...string[]]).optional(),
  index_prefix: indexPrefix.optional(),
  timezone: timezone.optional(),
  /** Checked before the global `drop` rules. */
  drop: z.array(dropRuleSchema).default([]),
  /** Replaces the global `redact` for this route; `false` turns redaction off. */
  redact: redactSchema.optional(),
  /** Merge stack traces split over several events (on unless false). */
  multiline: z.boolean().default(true),
});

export const LEVELS: readonly Level[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * `30s`, `10m`, `1h` (or `500ms`) as milliseconds, bounded. A plain number is milliseconds already, so the
 * schema accepts its own output: the validated JSON a bundle ships is checked again at cold start.
 */
function duration(min: number, max: number) {
  const text = z
    .string()
    .regex(/^\d+(ms|s|m|h)$/, 'a duration like 30s, 10m or 1h')
    .transform((value) => {
      const unit = /(ms|s|m|h)$/.exec(value)?.[1] ?? 'ms';
      return Number.parseInt(value, 10) * (UNITS[unit] ?? 1);
    });
  const ms = z.preprocess((v) => (Number.isInteger(v) ? `${v}ms` : v), text);
  return ms.refine((value) => value >= min && value <= max, {
    message: `between ${min / 1000}s and ${max / 3_600_000}h`,
  });
}

/**
 * Where a webhook URL is kept. The URL itself is a secret (anyone holding it can post to the channel),
 * so logferry.yml only ever names it; a literal URL is refused rather than bundled with the functions.
 * Locally and in tests, SLACK_WEBHOOK_URL overrides every reference.
 */
export const webhookRef = z.string().superRefine((value, ctx) => {
  if (/^https?:/i.test(value)) {
    ctx.addIssue({
      code: 'custom',
      message:
        'a webhook URL is a secret and must not sit in logferry.yml: store it in SSM (ssm:/name) or Secrets Manager (secretsmanager:name); locally set SLACK_WEBHOOK_URL',
    });
  } else if (!/^(ssm:\/[\w.\-/]+|secretsmanager:[\w/+=.@:-]+)$/.test(value)) {
    ctx.addIssue({
      code: 'custom',
      message: 'a webhook reference is ssm:/parameter/name or secretsmanager:secret-name',
    });
  }
});

const logType = z.enum(LOG_TYPES as [string, ...string[]]);
const level = z.enum(LEVELS as [string, ...string[]]);
const statusCode = z.number().int().min(100).max(599);

const ruleSchema = z.strictObject({
  /** Shown in the message and part of the alert-state id: keep it stable. */
  name: z.string().regex(/^[\w.-]{1,64}$/, '1 to 64 letters, digits, _ . or -'),
  /** Access logs are too many to watch line by line: opt in to them with a `status` rule. */
  log_type: z.union([logType, z.array(logType).min(1)]).default(['error', 'application']),
  /**
   * `error` and `fatal` by default (an event without a level counts as `error` when its log.type is
   * `error`); `any` for rules on lines that carry no level, which is the default for `status` rules.
   */
  level: z.union([z.literal('any'), level, z.array(level).min(1)]).optional(),
  /** Globs as in routes: `*` within a `/` segment, `**` across. */
  log_group: z.string().min(1).optional(),
  log_stream: z.string().min(1).optional(),
  /** Tested against `message`, `error.message` and `error.type`; any of them may match. */
  regex: regex.optional(),
  /** HTTP status range, both ends included; events without a status never match. */
  status: z
    .strictObject({ min: statusCode.default(100), max: statusCode.default(599) })
    .refine((s) => s.min <= s.max, { message: 'min must not exceed max' })
    .optional(),
  /** Alert only after `count` matches of one fingerprint within `window` (counted across invocations). */
  threshold: z
    .strictObject({
      count: z.number().int().min(1).max(1000),
      window: duration(10_000, 24 * 3_600_000).optional(),
    })
    .optional(),
  /** How long a fingerprint stays quiet after it alerted; the section's `window` by default. */
  window: duration(10_000, 24 * 3_600_000).optional(),
  /** The section's `webhook` by default, else the SSM parameter named by SLACK_WEBHOOK_PARAM. */
  webhook: webhookRef.optional(),
});

export const alertsSchema = z
  .strictObject({
    /** A fingerprint alerts at most once per window, across invocations and Lambda instances. */
    window: duration(10_000, 24 * 3_600_000).default(600_000),
    /**
     * Most time alerts may take after indexing (rate limits, Retry-After); never past the deadline
     * the sinks work to, so Slack cannot delay the batch or time it out.
     */
    time_budget: duration(500, 300_000).default(10_000),
    /** OpenSearch index holding one document per alert sent: the dedupe state and the alert history. */
    state_index: indexPrefix.default('logferry-alerts'),
    webhook: webhookRef.optional(),
    links: z
      .strictObject({
        /**
         * OpenSearch Dashboards base URL, e.g. https://search-x.eu-west-1.es.amazonaws.com/_dashboards;
         * unset, an AWS OpenSearch endpoint's own `/_dashboards` is used (none for other endpoints).
         */
        dashboards_url: z.url().optional(),
        /** Id of the index pattern Discover opens; unset, logferry's `<prefix>-*` pattern (npm run bootstrap imports it). */
        index_pattern: z.string().min(1).optional(),
        /** `false` leaves Discover links out of alerts. */
        discover: z.boolean().default(true),
      })
      .prefault({}),
    /** First match wins, as with routes: put specific rules before general ones. */
    rules: z.array(ruleSchema).default([]),
  })
  .refine((a) => new Set(a.rules.map((r) => r.name)).size === a.rules.length, {
    message: 'rule names must be unique (they are part of the alert-state ids)',
    path: ['rules'],
  });

export type AlertsConfig = z.infer<typeof alertsSchema>;
export type AlertRuleConfig = z.infer<typeof ruleSchema>;
