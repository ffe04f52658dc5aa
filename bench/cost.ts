// Lambda cost per GB of logs, derived from the measured CPU per event (and, as a second view, the e2e handler time).
import { round } from './pipeline.ts';

/** arm64 Lambda price per GB-second (us-east-1, first 6 billion GB-s a month). */
export const ARM64_USD_PER_GB_S = 0.0000133334;
export const USD_PER_MILLION_REQUESTS = 0.2;
/** 1,769 MB is where Lambda gives a function one full vCPU. */
export const MEMORY_MB = 1769;

export interface CostResult {
  memory_mb: number;
  /** Log events in 1 GB (10^9 bytes) of log text, at the benchmark's mean line length. */
  events_per_gb: number;
  /** CPU seconds per GB: pipeline (decode, parse, route, serialise) plus compression of bulk and archive bodies. */
  cpu_s_per_gb: number;
  gb_s_per_gb: number;
  usd_per_gb: number;
  /** Invocations per GB at 1 MB CloudWatch Logs events, and what they add. */
  requests_per_gb: number;
  request_usd_per_gb: number;
  /** Billed time when the function also waits for OpenSearch, from the e2e run (machine- and cluster-specific). */
  e2e_gb_s_per_gb: number | null;
  e2e_usd_per_gb: number | null;
  assumptions: string[];
}

/**
 * @example
 * lambdaCost({ cpuUsPerEvent: 12, gzipUsPerEvent: 4, bytesPerEvent: 220, eventsPerInvocation: 4000, e2eDocsPerS: 9000, docsPerEvent: 0.8 });
 */
export function lambdaCost(m: {
  cpuUsPerEvent: number;
  gzipUsPerEvent: number;
  bytesPerEvent: number;
  eventsPerInvocation: number;
  e2eDocsPerS: number | null;
  docsPerEvent: number;
}): CostResult {
  const gb = MEMORY_MB / 1024;
  const eventsPerGb = 1e9 / m.bytesPerEvent;
  const cpuS = (eventsPerGb * (m.cpuUsPerEvent + m.gzipUsPerEvent)) / 1e6;
  const gbS = cpuS * gb;
  const requests = eventsPerGb / m.eventsPerInvocation;
  const e2eS = m.e2eDocsPerS ? (eventsPerGb * m.docsPerEvent) / m.e2eDocsPerS : null;
  return {
    memory_mb: MEMORY_MB,
    events_per_gb: Math.round(eventsPerGb),
    cpu_s_per_gb: round(cpuS, 1),
    gb_s_per_gb: round(gbS, 1),
    usd_per_gb: round(gbS * ARM64_USD_PER_GB_S, 5),
    requests_per_gb: Math.round(requests),
    request_usd_per_gb: round((requests * USD_PER_MILLION_REQUESTS) / 1e6, 5),
    e2e_gb_s_per_gb: e2eS === null ? null : round(e2eS * gb, 1),
    e2e_usd_per_gb: e2eS === null ? null : round(e2eS * gb * ARM64_USD_PER_GB_S, 5),
    assumptions: [
      `1 GB = 10^9 bytes of log text (CloudWatch message bytes), at the benchmark's mean of ${round(m.bytesPerEvent, 0)} bytes per event`,
      `${MEMORY_MB} MB = 1 vCPU; one Graviton (arm64) core assumed as fast as one core of the benchmark machine`,
      'CPU-bound view: billed duration = measured CPU (pipeline + bulk gzip at level 1 + archive gzip level 1), no waiting on OpenSearch or S3',
      `$${ARM64_USD_PER_GB_S} per GB-s (arm64, us-east-1, first pricing tier); requests $${USD_PER_MILLION_REQUESTS} per million, at ${Math.round(m.eventsPerInvocation)} events per 1 MB invocation`,
      'e2e view: billed duration = handler wall time per document in the e2e run (includes waiting for the local OpenSearch and moto)',
      'Not included: CloudWatch Logs ingestion and subscription, OpenSearch, S3 requests and storage, data transfer, Lambda init (cold starts)',
    ],
  };
}
