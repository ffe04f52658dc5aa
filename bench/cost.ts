// Dollars per GB of log text for the deployed handler and the forwarder, from their measured invocations, beside Firehose's published price.
import { round } from './pipeline.ts';

/** arm64 Lambda price per GB-second (us-east-1, first 6 billion GB-s a month). */
export const ARM64_USD_PER_GB_S = 0.0000133334;
export const USD_PER_MILLION_REQUESTS = 0.2;
/** S3 Standard PUT, COPY, POST, LIST requests (us-east-1). */
export const S3_USD_PER_1000_PUTS = 0.005;
/** Amazon Data Firehose ingestion, Direct PUT (us-east-1, first 500 TB a month), records rounded up to 5 KB. */
export const FIREHOSE_USD_PER_GB = 0.029;

/** What one side's invocations measured, per corpus. */
export interface MeasuredSide {
  /** Mean wall time of an invocation (what Lambda bills, rounded up to the millisecond). */
  wallMsPerInvocation: number;
  /** Mean CPU of an invocation, all threads: the bill if the function never waited. */
  cpuMsPerInvocation: number;
  /** Log text (message bytes) one invocation carried. */
  logBytesPerInvocation: number;
  /** S3 PUTs one invocation made (archive objects; the forwarder makes none). */
  putsPerInvocation: number;
}

export interface SideCost {
  invocations_per_gb: number;
  gb_s_per_gb: number;
  duration_usd_per_gb: number;
  request_usd_per_gb: number;
  s3_put_usd_per_gb: number;
  /** Duration + requests + S3 PUTs. */
  usd_per_gb: number;
  /** The same with CPU time as the duration: the floor, with no waiting on OpenSearch or S3. */
  cpu_bound_usd_per_gb: number;
}

/**
 * @example
 * sideCost({ wallMsPerInvocation: 90, cpuMsPerInvocation: 20, logBytesPerInvocation: 250_000, putsPerInvocation: 1 }, 1769)
 */
export function sideCost(m: MeasuredSide, memoryMb: number): SideCost {
  const gb = memoryMb / 1024;
  const invocations = 1e9 / m.logBytesPerInvocation;
  const gbS = (invocations * Math.ceil(m.wallMsPerInvocation) * gb) / 1000;
  const cpuGbS = (invocations * Math.ceil(m.cpuMsPerInvocation) * gb) / 1000;
  const requests = (invocations * USD_PER_MILLION_REQUESTS) / 1e6;
  const puts = (invocations * m.putsPerInvocation * S3_USD_PER_1000_PUTS) / 1000;
  return {
    invocations_per_gb: Math.round(invocations),
    gb_s_per_gb: round(gbS, 1),
    duration_usd_per_gb: round(gbS * ARM64_USD_PER_GB_S, 5),
    request_usd_per_gb: round(requests, 5),
    s3_put_usd_per_gb: round(puts, 5),
    usd_per_gb: round(gbS * ARM64_USD_PER_GB_S + requests + puts, 5),
    cpu_bound_usd_per_gb: round(cpuGbS * ARM64_USD_PER_GB_S + requests + puts, 5),
  };
}

export interface CostResult {
  memory_mb: number;
  by_corpus: Record<string, { handler: SideCost; baseline: SideCost }>;
  firehose_usd_per_gb: number;
  assumptions: string[];
}

/**
 * $ per GB of log text for each corpus of the forwarder comparison, both sides at the memory
 * serverless.yml configures.
 *
 * @example
 * lambdaCost({ nginx: { handler, baseline } }, 1769).by_corpus.nginx.handler.usd_per_gb
 */
export function lambdaCost(
  corpora: Record<string, { handler: MeasuredSide; baseline: MeasuredSide }>,
  memoryMb: number,
): CostResult {
  const by: CostResult['by_corpus'] = {};
  for (const [name, c] of Object.entries(corpora))
    by[name] = { handler: sideCost(c.handler, memoryMb), baseline: sideCost(c.baseline, memoryMb) };
  return {
    memory_mb: memoryMb,
    by_corpus: by,
    firehose_usd_per_gb: FIREHOSE_USD_PER_GB,
    assumptions: [
      '1 GB = 10^9 bytes of log text (CloudWatch Logs message bytes), delivered in the bench corpus events (1,000 lines per invocation)',
      `duration: the mean measured wall time of an invocation, rounded up to 1 ms, at ${memoryMb} MB (serverless.yml; the forwarder priced at the same memory), $${ARM64_USD_PER_GB_S} per GB-s (arm64, us-east-1, first tier); measured on a shared 2-core machine where OpenSearch competes for the same cores, so waiting is longer than on AWS`,
      'cpu_bound: the same with the invocation CPU (all threads) as the duration, the floor if nothing were waited for',
      `requests $${USD_PER_MILLION_REQUESTS} per million; S3 PUTs $${S3_USD_PER_1000_PUTS} per 1,000 (one per archive object the handler wrote; the forwarder archives nothing)`,
      `Firehose: $${FIREHOSE_USD_PER_GB} per GB ingested (Direct PUT, us-east-1, first 500 TB a month, records rounded up to 5 KB), as published at the time of writing; its OpenSearch delivery adds $0.01/GB inside a VPC; no parsing, redaction or alerts`,
      'Not included: CloudWatch Logs ingestion and subscription, OpenSearch, S3 storage, data transfer, Lambda init (cold starts)',
    ],
  };
}
