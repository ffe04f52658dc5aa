// Delivers a large batch in slices: one slice in the sinks while the next is filled, reports merged in slice order.
import type { InputEvent, Routed } from '#shared/model.ts';
import { type DeliverDeps, type Delivery, deliverBatch, type RejectedRecord } from './deliver.ts';
import { type BatchReport, emptyReport, mergeReport } from './outcome.ts';

/**
 * Most log text (UTF-16 units of the decoded lines) a slice of a batch (or of an S3 object) holds, unless one record alone
 * holds more. A 6 MB batch of gzipped CloudWatch Logs payloads carries ~28 MiB of it (0.5-0.75 MiB a
 * record): delivered whole it peaked at ~0.9-1 GB RSS. V8 lets old space fill with each slice's promoted
 * garbage before collecting, so the peak grows ~100 MB per MiB of slice: one slice at a time, 1.3 MiB
 * slices ~350 MB, 2 MiB ~415 MB, 4.5 MiB ~550 MB; 1 MiB with two slices overlapping ~340-380 MB.
 */
export const SLICE_TEXT = 1024 * 1024;

export interface SliceDelivery {
  /** Events and characters of log text in the slice being filled. */
  readonly pending: { events: number; text: number };
  /** Longest a slice took from hand-over to its report, in milliseconds. */
  readonly slowestMs: number;
  /** Adds events (with their text length) and rejected records to the slice being filled. */
  add(events: readonly InputEvent[], rejected: readonly RejectedRecord[], text: number): void;
  /** Hands the slice being filled to the sinks; waits only when two slices would be in flight. */
  deliver(): Promise<void>;
  /**
   * Delivers what is left (an empty slice when nothing was delivered, so the report is never
   * missing), waits for every slice, and gives the merged report and the documents the alert stage
   * still needs (`deliverBatch` with `claimsOnly`).
   */
  finish(): Promise<{ report: BatchReport; delivered: Routed[] }>;
}

/**
 * Slicing keeps memory to the slice, not the batch: a slice is transformed and sent while the one
 * before it may still be in the sinks (the cluster keeps two bulks to work on). Callers decide where
 * a slice ends, so a Kinesis record or an S3 line is never split across two; stack traces never merge
 * across records, so slicing changes no document.
 *
 * @example
 * const slices = createSliceDelivery(deps, deadline);
 * slices.add(events, rejected, text);
 * if (slices.pending.text > SLICE_TEXT) await slices.deliver();
 * const { report, delivered } = await slices.finish();
 */
export function createSliceDelivery(
  deps: DeliverDeps,
  deadline: number,
  now: () => number = Date.now,
): SliceDelivery {
  const report = emptyReport();
  const delivered: Routed[] = [];
  const inFlight: Promise<Delivery>[] = [];
  let events: InputEvent[] = [];
  let rejected: RejectedRecord[] = [];
  const pending = { events: 0, text: 0 };
  let slices = 0;
  let slowestMs = 0;

  const settle = async () => {
    const slice = await inFlight.shift()!;
    mergeReport(report, slice.report);
    for (const item of slice.delivered) delivered.push(item);
  };

  const deliver = async () => {
    const started = now();
    const slice = deliverBatch(events, rejected, deps, deadline, true).then((d) => {
      slowestMs = Math.max(slowestMs, now() - started);
      return d;
    });
    // Awaited in turn by settle; until then a failure must not count as unhandled.
    slice.catch(() => undefined);
    inFlight.push(slice);
    events = [];
    rejected = [];
    pending.events = 0;
    pending.text = 0;
    slices++;
    if (inFlight.length > 1) await settle();
  };

  return {
    pending,
    get slowestMs() {
      return slowestMs;
    },
    add(more, refused, text) {
      for (const e of more) events.push(e);
      for (const r of refused) rejected.push(r);
      pending.events += more.length;
      pending.text += text;
    },
    deliver,
    async finish() {
      if (events.length > 0 || rejected.length > 0 || slices === 0) await deliver();
      while (inFlight.length > 0) await settle();
      return { report, delivered };
    },
  };
}
