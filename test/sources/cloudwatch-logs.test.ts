import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '#shared/config/file.ts';
import { recordsToRetry } from '#shared/pipeline/outcome.ts';
import { createRecordingSinks } from '#shared/sinks/recording.ts';
import { ingestCloudWatchLogs } from '#shared/sources/cloudwatch-logs.ts';
import { awslogsEvent, loadEvent, messageOf } from '#test/helpers/events.ts';

const deadline = () => Date.now() + 10_000;

describe('ingestCloudWatchLogs', () => {
  it('dead-letters a payload that decompresses past the cap, and acknowledges it', async () => {
    // Prepare: 64 KiB cap; the event's JSON is ~200 KiB once gunzipped.
    const config = parseConfig({ version: 1, decode: { max_decompressed_bytes: 64 * 1024 } });
    const event = awslogsEvent(
      messageOf(Array.from({ length: 400 }, (_, i) => `${i} ${'x'.repeat(500)}`)),
    );
    const sinks = createRecordingSinks();
    // Act
    const { messageType, report } = await ingestCloudWatchLogs(
      event,
      { config, sinks },
      deadline(),
    );
    // Assess
    expect(messageType).toBe('INVALID');
    expect(report.deadLettered).toBe(1);
    expect(sinks.deadLetters[0]!.entries[0]).toMatchObject({
      reason: 'decode_too_large',
      error: 'decompressed data exceeds 65536 bytes',
      raw: event.awslogs.data,
    });
    expect(recordsToRetry(report)).toEqual([]);
  });

  it('dead-letters gzip of something that is not a subscription message', async () => {
    const config = parseConfig({ version: 1 });
    const sinks = createRecordingSinks();
    const event = { awslogs: { data: gzipSync('{"hello":"world"}').toString('base64') } };
    const { report } = await ingestCloudWatchLogs(event, { config, sinks }, deadline());
    expect(sinks.deadLetters[0]!.entries[0]).toMatchObject({ reason: 'decode_shape' });
    expect(report.indexed).toBe(0);
  });

  it('retries (never acknowledges) a corrupt payload whose dead-letter write fails', async () => {
    const config = parseConfig({ version: 1 });
    const sinks = createRecordingSinks();
    sinks.deadLetter = {
      write: async () => {
        throw new Error('S3 unreachable');
      },
    };
    const { report } = await ingestCloudWatchLogs(
      loadEvent('corrupt'),
      { config, sinks },
      deadline(),
    );
    expect(recordsToRetry(report)).toHaveLength(1);
  });
});
