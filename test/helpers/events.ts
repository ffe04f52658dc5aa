// Loads sample events and fixtures, and builds CloudWatch Logs events for tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { CloudWatchLogsEvent } from 'aws-lambda';
import type { CloudWatchLogsMessage } from '#shared/decode/cloudwatch-logs.ts';
import type { InputEvent } from '#shared/model.ts';

export const ROOT = join(import.meta.dirname, '..', '..');

export function loadJson<T = unknown>(path: string): T {
  return JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as T;
}

export function loadEvent(name: string): CloudWatchLogsEvent {
  return loadJson<CloudWatchLogsEvent>(`events/cloudwatch-logs/${name}.json`);
}

export function loadMessage(name: string): CloudWatchLogsMessage {
  return loadJson<CloudWatchLogsMessage>(`test/fixtures/cloudwatch-logs/${name}.message.json`);
}

export function awslogsEvent(message: unknown): CloudWatchLogsEvent {
  return { awslogs: { data: gzipSync(JSON.stringify(message)).toString('base64') } };
}

/** A subscription message with one event per line, ids derived from `seed` so tests stay deterministic. */
export function messageOf(
  lines: string[],
  opts: { group?: string; stream?: string; seed?: string; t0?: number } = {},
): CloudWatchLogsMessage {
  const t0 = opts.t0 ?? Date.UTC(2025, 10, 20, 10, 0, 0);
  const seed = opts.seed ?? 'test';
  return {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: opts.group ?? '/test/app',
    logStream: opts.stream ?? 'stream-1',
    subscriptionFilters: ['logferry'],
    logEvents: lines.map((message, i) => ({
      id: `${seed}-${String(i).padStart(6, '0')}`,
      timestamp: t0 + i,
      message,
    })),
  };
}

export function inputEvent(message: string, overrides: Partial<InputEvent> = {}): InputEvent {
  return {
    id: 'ev-1',
    timestamp: Date.UTC(2025, 10, 20, 10, 0, 0),
    message,
    source: { logGroup: '/test/app', logStream: 'stream-1' },
    recordId: 'rec-1',
    ...overrides,
  };
}
