// Builds routed documents and alert rules from plain lines, through the real pure stages, for alert tests.
import { parseConfig } from '#shared/config/file.ts';
import type { Config } from '#shared/config/schema.ts';
import { toInputEvents } from '#shared/decode/cloudwatch-logs.ts';
import type { Routed } from '#shared/model.ts';
import { transformEvents } from '#shared/transform/transform-events.ts';
import { messageOf } from './events.ts';

/** A pino-style JSON error line (level 50) with an error object. */
export function jsonError(
  msg: string,
  err?: { type: string; message: string; stack?: string },
  time = '2025-11-20T10:00:07.000Z',
): string {
  return JSON.stringify({ level: 50, time: Date.parse(time), msg, ...(err ? { err } : {}) });
}

export function configWith(alerts: unknown): Config {
  return parseConfig({ version: 1, alerts });
}

/** Routed documents for lines of one log group and stream. */
export function routedOf(
  lines: string[],
  opts: { group?: string; stream?: string; seed?: string; t0?: number; config?: Config } = {},
): Routed[] {
  const config = opts.config ?? parseConfig({ version: 1 });
  const events = toInputEvents(messageOf(lines, opts), 'rec', 'eu-west-1');
  return transformEvents(events, config).routed;
}
