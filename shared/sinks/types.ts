// Small interfaces the pipeline drives; real sinks (OpenSearch, S3, Slack alerts) and the recording ones implement them.
import type { LogDocument, Routed } from '#shared/model.ts';

/** Per-document result of indexing, parallel to the input array. */
export type IndexResult =
  | { status: 'indexed' }
  /** Transient (429, 5xx, network) and still failing when the deadline came: the record must be redelivered. */
  | { status: 'retry'; error: string }
  /** Refused for its mapping, then indexed in a degraded form (fields moved into `app`); the original is dead-lettered. */
  | { status: 'degraded'; error: string; statusCode: number }
  /** Permanent (4xx other than 429): goes to the dead-letter prefix. */
  | { status: 'rejected'; error: string; statusCode: number };

export interface IndexSink {
  index(items: readonly Routed[], deadline: number): Promise<IndexResult[]>;
}

/** One archive object: the rows it holds and the records they came from. */
export interface ArchiveObject {
  key: string;
  items: Routed[];
}

export interface ArchiveSink {
  /** Writes each object; returns the keys written and the error for those that failed (transient). */
  archive(
    objects: readonly ArchiveObject[],
    deadline: number,
  ): Promise<{ written: string[]; failed: { key: string; error: string }[] }>;
}

/** A dead-letter row: the document or raw payload, the error, the attempts made. */
export interface DeadLetterEntry {
  recordId: string;
  error: string;
  reason: string;
  attempts: number;
  document?: LogDocument;
  /** Raw payload when no document could be made (corrupt input), base64 for binary. */
  raw?: string;
  /** Where the entry came from, so redrive can send it back through the right path. */
  source?: Record<string, unknown>;
}

export interface DeadLetterSink {
  /** Writes the entries; throws TransientSinkError if they could not be stored (the records are then retried). */
  write(entries: readonly DeadLetterEntry[], now: number): Promise<string[]>;
}

export interface Sinks {
  index: IndexSink;
  archive: ArchiveSink;
  deadLetter: DeadLetterSink;
  /** Slack alerts; runs after delivery and never fails a batch. */
  alert?: AlertSink;
}

/** What the alert stage did with a batch; counts are fingerprints (alert groups) unless said otherwise. */
export interface AlertCounts {
  /** Documents that matched a rule. */
  matched: number;
  /** Fingerprints posted to Slack. */
  sent: number;
  /** Fingerprints that already alerted in their window (here or in another invocation). */
  suppressed: number;
  /** Fingerprints that could not be posted in time, or at all; each is logged. */
  dropped: number;
  /** Fingerprints still below their rule's threshold. */
  belowThreshold: number;
  /** Slack messages posted. */
  messages: number;
  /** Why alerts were dropped or state was unavailable; never a webhook URL. */
  errors: string[];
}

export interface AlertSink {
  /** Alerts on documents that were delivered for good; resolves by `deadline` and never rejects. */
  alert(items: readonly Routed[], deadline: number): Promise<AlertCounts>;
  /**
   * The documents some rule matches: all `alert` will look at. A batch run in slices keeps only these
   * until its last slice; without it, every delivered document is kept.
   */
  claims?(items: readonly Routed[]): Routed[];
}

export function emptyAlertCounts(): AlertCounts {
  return {
    matched: 0,
    sent: 0,
    suppressed: 0,
    dropped: 0,
    belowThreshold: 0,
    messages: 0,
    errors: [],
  };
}
