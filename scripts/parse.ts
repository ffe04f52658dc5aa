// `npm run parse -- FILE [--group NAME]`: prints the documents an input yields, as NDJSON, without any service.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { KinesisStreamEvent } from 'aws-lambda';
import { loadConfig } from '#shared/config/load.ts';
import {
  asCloudWatchLogsMessage,
  decodeCloudWatchLogsData,
  toInputEvents,
} from '#shared/decode/cloudwatch-logs.ts';
import { decodeKinesisRecord } from '#shared/decode/kinesis.ts';
import type { InputEvent } from '#shared/model.ts';
import { eventShape } from '#shared/sources/shape.ts';
import { transformEvents } from '#shared/transform/transform-events.ts';

const USAGE = 'usage: npm run parse -- FILE [--group NAME] [--config logferry.yml]';

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

function main(): number {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      group: { type: 'string', default: 'local' },
      config: { type: 'string', default: 'logferry.yml' },
      help: { type: 'boolean' },
    },
  });
  if (values.help || positionals.length !== 1) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const config = loadConfig(values.config);
  const events = eventsFromFile(
    positionals[0]!,
    values.group,
    config.decode.max_decompressed_bytes,
  );
  const { routed } = transformEvents(events, config);
  const out = routed.map((r) => JSON.stringify(r.doc)).join('\n');
  if (out) process.stdout.write(`${out}\n`);
  return 0;
}

try {
  process.exitCode = main();
} catch (err) {
  console.error(`parse: ${(err as Error).message}`);
  process.exitCode = 1;
}
