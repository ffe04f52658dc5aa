// Alert rule matching: which rule (first match wins) a delivered document alerts under. Pure.
import type { AlertRuleConfig, AlertsConfig } from '#shared/config/schema.ts';
import { matchGlob } from '#shared/glob.ts';
import { compileLinearRegex, type LinearRegex } from '#shared/linear-regex.ts';
import type { Level, LogDocument, LogType } from '#shared/model.ts';

/** A rule from logferry.yml with its defaults settled and its regex compiled. */
export interface AlertRule {
  name: string;
  logTypes: ReadonlySet<LogType>;
  /** Undefined: any level. */
  levels?: ReadonlySet<Level>;
  logGroup?: string;
  logStream?: string;
  /** RE2, linear in the message whatever the pattern. */
  regex?: LinearRegex;
  status?: { min: number; max: number };
  /** Matches of one fingerprint needed within `thresholdWindowMs` before it alerts. */
  threshold: number;
  thresholdWindowMs: number;
  /** Quiet time after an alert. */
  windowMs: number;
  /** `ssm:/…` or `secretsmanager:…`; resolved to a URL outside the pure stages. */
  webhook?: string;
}

const DEFAULT_LEVELS: ReadonlySet<Level> = new Set<Level>(['error', 'fatal']);

function asArray<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

/**
 * Settles a rule's defaults: `level` is error/fatal unless the rule watches HTTP statuses (access
 * lines carry no level), and windows fall back to the section's.
 */
export function compileAlertRules(config: AlertsConfig): AlertRule[] {
  return config.rules.map((rule: AlertRuleConfig): AlertRule => {
    const level = rule.level ?? (rule.status ? 'any' : undefined);
    const windowMs = rule.window ?? config.window;
    return {
      name: rule.name,
      logTypes: new Set(asArray(rule.log_type) as LogType[]),
      levels:
        level === 'any' ? undefined : level ? new Set(asArray(level) as Level[]) : DEFAULT_LEVELS,
      logGroup: rule.log_group,
      logStream: rule.log_stream,
      regex: rule.regex === undefined ? undefined : compileLinearRegex(rule.regex),
      status: rule.status,
      threshold: rule.threshold?.count ?? 1,
      thresholdWindowMs: rule.threshold?.window ?? windowMs,
      windowMs,
      webhook: rule.webhook ?? config.webhook,
    };
  });
}

/** Log group of a document: CloudWatch's, else the Kinesis stream name the pipeline routed it by. */
export function sourceOf(doc: LogDocument, fallback?: string): { group?: string; stream?: string } {
  const cw = (doc.aws as { cloudwatch?: { log_group?: string; log_stream?: string } } | undefined)
    ?.cloudwatch;
  return { group: cw?.log_group ?? fallback, stream: cw?.log_stream };
}

function statusOf(doc: LogDocument): number | undefined {
  const status = (doc.http as { response?: { status_code?: unknown } } | undefined)?.response
    ?.status_code;
  return typeof status === 'number' ? status : undefined;
}

function errorOf(doc: LogDocument): { type?: string; message?: string } {
  const error = doc.error as { type?: unknown; message?: unknown } | undefined;
  return {
    type: typeof error?.type === 'string' ? error.type : undefined,
    message: typeof error?.message === 'string' ? error.message : undefined,
  };
}

export function matchesRule(rule: AlertRule, doc: LogDocument, group?: string): boolean {
  if (!rule.logTypes.has(doc.log.type)) return false;
  if (rule.levels) {
    // Web-server error logs and routes that set log_type: error can carry no level of their own.
    const level = doc.log.level ?? (doc.log.type === 'error' ? 'error' : undefined);
    if (!level || !rule.levels.has(level)) return false;
  }
  if (rule.logGroup || rule.logStream) {
    const source = sourceOf(doc, group);
    if (rule.logGroup && !matchGlob(rule.logGroup, source.group ?? '')) return false;
    if (rule.logStream && !matchGlob(rule.logStream, source.stream ?? '')) return false;
  }
  if (rule.status) {
    const status = statusOf(doc);
    if (status === undefined || status < rule.status.min || status > rule.status.max) return false;
  }
  if (rule.regex) {
    const error = errorOf(doc);
    const re = rule.regex;
    if (
      !re.test(doc.message) &&
      !(error.message && re.test(error.message)) &&
      !(error.type && re.test(error.type))
    ) {
      return false;
    }
  }
  return true;
}

/**
 * The first rule a document matches, or undefined. Cheap conditions are tested before globs and regexes,
 * since most documents of a batch match nothing.
 *
 * @example
 * const rule = matchRule(rules, routed.doc, routed.group);
 */
export function matchRule(
  rules: readonly AlertRule[],
  doc: LogDocument,
  group?: string,
): AlertRule | undefined {
  for (const rule of rules) if (matchesRule(rule, doc, group)) return rule;
  return undefined;
}

export { errorOf, statusOf };
