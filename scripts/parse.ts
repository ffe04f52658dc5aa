// `npm run parse -- FILE [--group NAME]`: prints the documents an input yields, as NDJSON, without any service.
import { readFileSync } from 'node:fs';
import type { KinesisStreamEvent } from 'aws-lambda';
import { boundedStringify } from '#shared/bounded-json.ts';
import { loadConfig } from '#shared/config/yaml.ts';
import {
  asCloudWatchLogsMessage,
  decodeCloudWatchLogsData,
  toInputEvents,
} from '#shared/decode/cloudwatch-logs.ts';
import { decodeKinesisRecord } from '#shared/decode/kinesis.ts';
import { createEnrichment } from '#shared/enrich/load.ts';
import type { InputEvent } from '#shared/model.ts';
import { eventShape } from '#shared/sources/shape.ts';
import { transformEvents } from '#shared/transform/transform-events.ts';
import { runCli, UsageError } from './cli.ts';

const USAGE = `usage: npm run parse -- FILE [--group NAME] [--config logferry.yml]

  Prints one JSON document per output event (NDJSON), in input order, without any service. FILE is a
  decoded CloudWatch Logs subscription message, a Lambda CloudWatch Logs event, a Kinesis event, or a
  text file with one event per line (--group sets its log group).`;

function eventsFromText(text: string, group: string): InputEvent[] {
  const now = Date.now();
  return text
    .split(/\r?\n/)
    .filter((line) => line.length > 0)
    .map((message, i) => ({
      id: `line-${i + 1}`,
      timestamp: now,
      message,
      source: { logGroup: group, logStream: 'file' },
      recordId: 'file',
    }));
}

/** Every record's events, in batch order; undecodable parts are named on stderr, as the handler would dead-letter them. */
function eventsFromKinesis(event: KinesisStreamEvent, maxBytes: number): InputEvent[] {
  return event.Records.flatMap((record) => {
    const { ref, events, rejected } = decodeKinesisRecord(record, { maxBytes });
    for (const r of rejected)
      console.error(`parse: record ${ref.sequenceNumber}: ${r.error} (would be dead-lettered)`);
    return events;
  });
}

function eventsFromFile(file: string, group: string, maxBytes: number): InputEvent[] {
  const text = readFileSync(file, 'utf8');
  let json: unknown;
  if (/^\s*[{[]/.test(text)) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  switch (eventShape(json)) {
    case 'cloudwatch-logs': {
      const data = (json as { awslogs: { data: unknown } }).awslogs.data;
      return toInputEvents(decodeCloudWatchLogsData(data, maxBytes), 'event');
    }
    case 'cloudwatch-logs-message':
      return toInputEvents(asCloudWatchLogsMessage(json), 'event');
    case 'kinesis':
      return eventsFromKinesis(json as KinesisStreamEvent, maxBytes);
    default:
      return eventsFromText(text, group);
  }
}

runCli({
  name: 'parse',
  usage: USAGE,
  options: {
    group: { type: 'string', default: 'local' },
    config: { type: 'string', default: 'logferry.yml' },
  },
  allowPositionals: true,
  run({ values, positionals }) {
    if (positionals.length !== 1) throw new UsageError('one FILE to parse');
    const config = loadConfig(values.config);
    const events = eventsFromFile(
      positionals[0]!,
      values.group,
      config.decode.max_decompressed_bytes,
    );
    const { routed } = transformEvents(events, config, { enrich: createEnrichment(config) });
    const out = routed.map((r) => boundedStringify(r.doc)).join('\n');
    if (out) process.stdout.write(`${out}\n`);
    return 0;
  },
});
