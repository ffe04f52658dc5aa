// Source adapter for CloudWatch Logs subscription events: decode, acknowledge control messages, run the batch.
import { createHash } from 'node:crypto';
import type { CloudWatchLogsEvent } from 'aws-lambda';
import { boundedStringify } from '#shared/bounded-json.ts';
import type { Config } from '#shared/config/schema.ts';
import { decodeCloudWatchLogsData, toInputEvents } from '#shared/decode/cloudwatch-logs.ts';
import { capEvents, decodeLimits } from '#shared/decode/limits.ts';
import type { Enricher } from '#shared/enrich/enrich.ts';
import { DecodeError, errorMessage } from '#shared/errors.ts';
import { type RejectedRecord, runBatch } from '#shared/pipeline/deliver.ts';
import type { BatchReport } from '#shared/pipeline/outcome.ts';
import type { Sinks } from '#shared/sinks/types.ts';
import { overflowRecords, textPart } from './overflow.ts';

export interface CloudWatchIngestResult {
  messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE' | 'INVALID';
  report: BatchReport;
  logGroup?: string;
  logStream?: string;
}

/**
 * Record id of an invocation: the first event id, or for one that did not decode a hash of its
 * payload (stable across retries; the payload's head could be a secret in clear text).
 */
function recordIdOf(events: { id: string }[], data: unknown): string {
  if (events[0]) return events[0].id;
  return `awslogs:${createHash('sha256').update(String(data)).digest('hex').slice(0, 32)}`;
}

/**
 * Ingests one CloudWatch Logs subscription event. Bad payloads are dead-lettered (not thrown): retrying
 * them can never help. `asyncResponse(report)` then throws when a record must come again.
 *
 * @example
 * const { report } = await ingestCloudWatchLogs(event, { config, sinks, region }, deadline);
 */
export async function ingestCloudWatchLogs(
  event: CloudWatchLogsEvent,
  deps: { config: Config; sinks: Sinks; region?: string; enrich?: Enricher },
  deadline: number,
): Promise<CloudWatchIngestResult> {
  const data = (event as { awslogs?: { data?: unknown } })?.awslogs?.data;
  try {
    const msg = decodeCloudWatchLogsData(data, deps.config.decode.max_decompressed_bytes);
    const { kept: events, overflow } = capEvents(
      toInputEvents(msg, '', deps.region),
      decodeLimits(deps.config),
    );
    const recordId = recordIdOf(events, data);
    for (const e of events) e.recordId = recordId;
    const source = events[0]?.source ?? { logGroup: msg.logGroup, logStream: msg.logStream };
    const rejected = overflowRecords(
      deps.config,
      recordId,
      source,
      { trigger: 'cloudwatch-logs', log_group: msg.logGroup, log_stream: msg.logStream },
      overflow,
    );
    const report = await runBatch(events, rejected, deps, deadline);
    return {
      messageType: msg.messageType,
      report,
      logGroup: msg.logGroup,
      logStream: msg.logStream,
    };
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    const recordId = recordIdOf([], data);
    const where = { trigger: 'cloudwatch-logs' };
    // Decoded to text and refused after (valid gzip, invalid JSON): the text, masked, not base64
    // that anyone can read the secret back from. Bytes that never became text stay as they came.
    const rejected: RejectedRecord[] =
      err.text !== undefined
        ? overflowRecords(deps.config, recordId, {}, where, [textPart(err, err.text)])
        : [
            {
              recordId,
              error: errorMessage(err),
              reason: `decode_${err.reason}`,
              raw: typeof data === 'string' ? data : boundedStringify(event ?? null),
              source: where,
            },
          ];
    const report = await runBatch([], rejected, deps, deadline);
    return { messageType: 'INVALID', report };
  }
}
