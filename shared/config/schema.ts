// Schema of logferry.yml, the user's pipeline configuration; unknown keys are errors, not ignored.
import * as z from 'zod';
import { DATASETS, LOG_TYPES } from '#shared/model.ts';
import { REDACT_RULES } from '#shared/transform/redact.ts';
import { alertsSchema } from './alerts.ts';
import { regex } from './fields.ts';

const MiB = 1024 * 1024;

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

const indexPrefix = z
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
const dropRuleSchema = z
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

const redactObject = z.strictObject({
  enabled: z.boolean().default(true),
  // Secrets by default; email addresses are often what a team searches logs for, so they are opt-in.
  rules: z.array(z.enum(REDACT_RULES)).default(REDACT_RULES.filter((r) => r !== 'email')),
  patterns: z.array(z.strictObject({ name: z.string().min(1), regex })).default([]),
  replacement: z.string().default('[REDACTED]'),
});

/** `redact: false` is short for `{ enabled: false }`; a plain object keeps zod's errors precise. */
const redactSchema = z.preprocess((v) => (v === false ? { enabled: false } : v), redactObject);

const routeSchema = z.strictObject({
  name: z.string().min(1),
  match: matchSchema,
  parser: dataset.optional(),
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

const logGroupGlob = z
  .string()
  .min(1)
  .regex(
    /^[\w.\-/#*?]+$/,
    'a log group glob uses letters, digits, _ - / . # and the wildcards * ** ?',
  );

/** Which log groups `npm run subscribe` (and the subscribe function) attach logferry's filter to. */
const subscriptionsSchema = z.strictObject({
  /** Globs on log group names: `*` within a `/` segment, `**` across. Nothing matches when empty. */
  include: z.array(logGroupGlob).default([]),
  /** Checked after `include`; the pipeline's own groups (/aws/lambda/<service>-<stage>-*) are always excluded. */
  exclude: z.array(logGroupGlob).default([]),
  /** logferry creates, updates and reports only filters with this name; other filters are never touched. */
  filter_name: z
    .string()
    .regex(/^[^:*]{1,512}$/, '1 to 512 characters, no `:` or `*`')
    .default('logferry'),
  /** A CloudWatch Logs filter pattern; '' ships every event. */
  filter_pattern: z.string().max(1024).default(''),
  /** The ingest Lambda, or the Kinesis stream (with the role CloudWatch Logs assumes to write to it). */
  destination: z.enum(['lambda', 'kinesis']).default('lambda'),
});

export const configSchema = z.strictObject({
  version: z.literal(1),
  index: z
    .strictObject({
      prefix: indexPrefix.default('logs'),
      /** Settings of new log indices (`npm run bootstrap` installs them as an index template). */
      shards: z.number().int().min(1).max(1024).default(1),
      replicas: z.number().int().min(0).max(15).default(1),
      refresh_interval: z
        .string()
        .regex(/^(-1|\d+(ms|s|m|h))$/, 'a duration like 1s, 30s or 1m, or -1 (never)')
        .default('5s'),
      /** Days a log index is kept before the ISM policy deletes it; unset keeps indices forever. */
      retention_days: z.number().int().min(1).max(36500).optional(),
    })
    .prefault({}),
  opensearch: z
    .strictObject({
      /** Bulk request size before compression; DESIGN.md §6 caps it at 9 MiB. */
      bulk_bytes: z
        .number()
        .int()
        .min(64 * 1024)
        .max(9 * MiB)
        .default(5 * MiB),
      concurrency: z.number().int().min(1).max(16).default(2),
      /** Longest string value kept in the index copy; longer ones are cut and tagged `_truncated`. */
      max_field_bytes: z.number().int().min(256).max(32766).default(32766),
      /** Time left for the sinks before the Lambda's own timeout, in milliseconds. */
      deadline_margin_ms: z.number().int().min(0).default(3000),
      /** OpenSearch Serverless only: time-series collections refuse custom `_id`, so logferry writes without. */
      serverless_collection_type: z.enum(['timeseries', 'search']).default('timeseries'),
    })
    .prefault({}),
  archive: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** 1 is cheap on CPU; the archive is cold storage, ratio matters less than Lambda time. */
      gzip_level: z.number().int().min(1).max(9).default(1),
    })
    .prefault({}),
  decode: z
    .strictObject({
      max_decompressed_bytes: z
        .number()
        .int()
        .min(64 * 1024)
        .default(32 * MiB),
    })
    .prefault({}),
  routes: z.array(routeSchema).default([]),
  /** Drop rules for every event (after the route's own). */
  drop: z.array(dropRuleSchema).default([]),
  /** Redaction for events whose route does not set its own. */
  redact: redactSchema.prefault({}),
  /** Slack alerts on matching errors; no rules, no alerts. */
  alerts: alertsSchema.prefault({}),
  subscriptions: subscriptionsSchema.prefault({}),
});

export type Config = z.infer<typeof configSchema>;
export type Route = z.infer<typeof routeSchema>;
export type RedactConfig = z.infer<typeof redactObject>;
export type SubscriptionsConfig = z.infer<typeof subscriptionsSchema>;
