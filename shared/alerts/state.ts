// Alert state that outlives a Lambda instance: who alerted for which fingerprint and window, and threshold counts.

/** One alert as stored: the dedupe claim while it is being sent, the alert history afterwards. */
export interface AlertRecord {
  /** Deterministic: rule, fingerprint and window start; a second `create` with it answers 409. */
  id: string;
  rule: string;
  fingerprint: string;
  windowStart: number;
  windowEnd: number;
  first: number;
  last: number;
  count: number;
  logGroup?: string;
  logStreams: string[];
  logType: string;
  level?: string;
  errorType?: string;
  /** Redacted and cut; the history shows what the alert was about. */
  message: string;
  /** The reference (ssm:/…), never the URL. */
  webhook?: string;
}

export type ClaimResult = 'claimed' | 'exists' | 'error';

export interface AlertStateStore {
  /** Claims each alert; `exists` when another invocation (or instance) already did in its window. */
  claim(
    records: readonly AlertRecord[],
    deadline: number,
  ): Promise<{ results: Map<string, ClaimResult>; error?: string }>;
  /**
   * Settles claims: sent ones stay as history, dropped ones are removed so that a later invocation
   * may try again instead of the fingerprint staying silent for its whole window.
   */
  settle(
    sent: readonly string[],
    dropped: readonly string[],
    deadline: number,
    now: number,
  ): Promise<void>;
  /**
   * Adds event ids to the counter `key` and returns how many distinct ids it holds (at most `cap`).
   * Counting ids rather than adding numbers keeps a redelivered batch from counting twice.
   */
  count(key: string, ids: readonly string[], cap: number, deadline: number): Promise<number>;
}

/** Mapping of the alert-state index, so the history can be searched and charted. */
export const ALERT_STATE_MAPPINGS = {
  dynamic: false,
  properties: {
    '@timestamp': { type: 'date' },
    kind: { type: 'keyword' },
    status: { type: 'keyword' },
    rule: { type: 'keyword' },
    fingerprint: { type: 'keyword' },
    window_start: { type: 'date' },
    window_end: { type: 'date' },
    first_seen: { type: 'date' },
    last_seen: { type: 'date' },
    sent_at: { type: 'date' },
    count: { type: 'long' },
    log_group: { type: 'keyword' },
    log_streams: { type: 'keyword' },
    log_type: { type: 'keyword' },
    level: { type: 'keyword' },
    error_type: { type: 'keyword' },
    message: { type: 'text' },
    webhook: { type: 'keyword' },
    ids: { type: 'keyword', index: false, doc_values: false },
  },
} as const;

/**
 * The same contract in memory, for `replay --dry-run` and unit tests: it lasts as long as the process.
 *
 * @example
 * const state = createMemoryAlertState();
 */
export function createMemoryAlertState(): AlertStateStore & {
  records: Map<string, AlertRecord & { status: string }>;
} {
  const records = new Map<string, AlertRecord & { status: string }>();
  const counters = new Map<string, Set<string>>();
  return {
    records,
    async claim(list) {
      const results = new Map<string, ClaimResult>();
      for (const r of list) {
        if (records.has(r.id)) results.set(r.id, 'exists');
        else {
          records.set(r.id, { ...r, status: 'sending' });
          results.set(r.id, 'claimed');
        }
      }
      return { results };
    },
    async settle(sent, dropped) {
      for (const id of sent) {
        const r = records.get(id);
        if (r) r.status = 'sent';
      }
      for (const id of dropped) records.delete(id);
    },
    async count(key, ids, cap) {
      const set = counters.get(key) ?? new Set<string>();
      counters.set(key, set);
      for (const id of ids) {
        if (set.size >= cap) break;
        set.add(id);
      }
      return set.size;
    },
  };
}
