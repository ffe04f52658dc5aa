// Schema of logferry.yml, the user's pipeline configuration; unknown keys are errors, not ignored.
import * as z from 'zod';
import { DEFAULT_JSON_DEPTH, MAX_JSON_DEPTH } from '#shared/bounded-json.ts';
import { FormatError } from '#shared/errors.ts';
import { DATASETS } from '#shared/model.ts';
import { compileFormat, type FormatFamily } from '#shared/parse/format/compile.ts';
import {
  alertsSchema,
  dropRuleSchema,
  indexPrefix,
  type redactObject,
  redactSchema,
  routeSchema,
} from './schema-rules.ts';

export type { AlertRuleConfig, AlertsConfig } from './schema-rules.ts';
export { LEVELS } from './schema-rules.ts';

const MiB = 1024 * 1024;

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

/**
 * `formats:`: log formats declared with the server's own format string (docs/formats.md).
 */
const FAMILIES: readonly FormatFamily[] = ['nginx', 'apache', 'haproxy'];

/**
 * A log format declared with the server's own format string; compiled here so a string that cannot
 * compile fails validation (naming its position and variable), not a batch.
 */
const formatSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][\w.-]*$/, 'a format name is letters, digits, _ . and -')
      .refine((n) => !(DATASETS as readonly string[]).includes(n), {
        message: 'a format name must differ from the built-in parsers',
      }),
    /** nginx `log_format` string (a leading `escape=json|none|default` is read too). */
    nginx: z.string().min(1).optional(),
    /** Apache `LogFormat` string. */
    apache: z.string().min(1).optional(),
    /** HAProxy `log-format` string. */
    haproxy: z.string().min(1).optional(),
    /** nginx's `escape=` of the `log_format`: how values are escaped (default `\xHH`). */
    escape: z.enum(['default', 'json', 'none']).optional(),
  })
  .superRefine((f, ctx) => {
    const families = FAMILIES.filter((k) => f[k] !== undefined);
    if (families.length !== 1) {
      ctx.addIssue({ code: 'custom', message: 'set exactly one of nginx, apache or haproxy' });
      return;
    }
    const family = families[0]!;
    if (f.escape !== undefined && family !== 'nginx')
      ctx.addIssue({ code: 'custom', path: ['escape'], message: 'escape is for nginx formats' });
    try {
      compileFormat({ name: f.name, family, format: f[family]!, escape: f.escape });
    } catch (err) {
      if (!(err instanceof FormatError)) throw err;
      ctx.addIssue({
        code: 'custom',
        path: [family],
        message: `position ${err.position}${err.variable ? `, ${err.variable}` : ''}: ${err.message}`,
      });
    }
  });

export type FormatConfig = z.infer<typeof formatSchema>;

/** `enrich:`: fields derived from others (docs/enrichment.md), each off until asked for. */
const enrichSchema = z.strictObject({
  /** `user_agent.name`, `.version`, `.os.*`, `.device.name` from `user_agent.original`. */
  user_agent: z.boolean().default(false),
  /**
   * `source.geo.*` / `source.as.*` (and `client.*`) from MaxMind-format databases: a path relative to
   * the configuration file (bundled with the functions) or absolute (a Lambda layer's `/opt/…`).
   */
  geoip: z
    .strictObject({
      database: z.string().min(1),
      /** A separate ASN database (GeoLite2-ASN); without it, AS fields come from `database` if it has them. */
      asn_database: z.string().min(1).optional(),
    })
    .optional(),
});

export type EnrichConfig = z.infer<typeof enrichSchema>;

export const configSchema = z
  .strictObject({
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
        /** Bulk request size before compression; capped at 9 MiB (docs/architecture.md, "Delivery guarantees"). */
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
    /** What one record (a CloudWatch Logs payload, a Kinesis record) may become; the excess is dead-lettered. */
    decode: z
      .strictObject({
        max_decompressed_bytes: z
          .number()
          .int()
          .min(64 * 1024)
          .default(32 * MiB),
        /** Events past this many a record are dead-lettered in chunks (a record of 3 KB can hold 1M lines). */
        max_events_per_record: z.number().int().min(100).max(1_000_000).default(10_000),
        /** Longer lines are dead-lettered, never parsed (CloudWatch Logs' own cap is 256 KiB). */
        max_line_bytes: z
          .number()
          .int()
          .min(256 * 1024)
          .max(32 * MiB)
          .default(MiB),
        /** JSON nested deeper stays text, tagged `_json_too_deep`. */
        max_json_depth: z.number().int().min(8).max(MAX_JSON_DEPTH).default(DEFAULT_JSON_DEPTH),
        /**
         * Events one Kinesis batch may yield: the record that would pass it, and those after it, come
         * again first in the next batch (docs/architecture.md, "Delivery guarantees").
         */
        max_events_per_batch: z.number().int().min(1000).max(10_000_000).default(200_000),
        /** Decoded text (UTF-16 units) one Kinesis batch may hold, same rule. */
        max_bytes_per_batch: z
          .number()
          .int()
          .min(MiB)
          .max(1024 * MiB)
          .default(64 * MiB),
      })
      // The first record of a batch is always taken: so a batch can always take one whole record.
      .refine((d) => d.max_events_per_batch >= d.max_events_per_record, {
        message: 'must be at least max_events_per_record: a batch must hold one whole record',
        path: ['max_events_per_batch'],
      })
      .refine((d) => d.max_bytes_per_batch >= d.max_decompressed_bytes, {
        message: 'must be at least max_decompressed_bytes: a batch must hold one whole record',
        path: ['max_bytes_per_batch'],
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
    /** Log formats declared with the server's own format string; routes pin them by name. */
    formats: z.array(formatSchema).default([]),
    /** Optional enrichment: user agents, GeoIP and ASN; all off by default. */
    enrich: enrichSchema.prefault({}),
  })
  .superRefine((config, ctx) => {
    const names = new Set<string>();
    config.formats.forEach((f, i) => {
      if (names.has(f.name))
        ctx.addIssue({
          code: 'custom',
          path: ['formats', i, 'name'],
          message: `format ${f.name} is declared twice`,
        });
      names.add(f.name);
    });
    config.routes.forEach((r, i) => {
      if (
        r.parser === undefined ||
        names.has(r.parser) ||
        (DATASETS as readonly string[]).includes(r.parser)
      )
        return;
      ctx.addIssue({
        code: 'custom',
        path: ['routes', i, 'parser'],
        message: `unknown parser ${r.parser}: expected one of ${[...DATASETS, ...names].join(', ')} (a declared format names one under formats)`,
      });
    });
  });

export type Config = z.infer<typeof configSchema>;
export type Route = z.infer<typeof routeSchema>;
export type RedactConfig = z.infer<typeof redactObject>;
export type SubscriptionsConfig = z.infer<typeof subscriptionsSchema>;
