// Picks a parser per line (pinned by a route, or auto-detected) and never lets a line fail: text is the floor.
import { type Dataset, DATASETS, type ParsedLine } from '#shared/model.ts';
import { apacheAccess, nginxAccess } from './access-log.ts';
import { appJson } from './app-json.ts';
import { awsLambda } from './aws-lambda.ts';
import { nginxError } from './nginx-error.ts';
import { text } from './text.ts';
import type { LineParser, ParseContext } from './types.ts';

export type { LineParser, ParseContext } from './types.ts';

const PARSERS: Partial<Record<Dataset, LineParser>> = {
  'nginx.access': nginxAccess,
  'nginx.error': nginxError,
  'apache.access': apacheAccess,
  'aws.lambda': awsLambda,
  'app.json': appJson,
  text,
};

/** Datasets that have a parser in this build; routes may only pin these. */
export function availableParsers(): Dataset[] {
  return DATASETS.filter((d) => PARSERS[d] !== undefined);
}

function looksApache(ctx: ParseContext): boolean {
  const hint = `${ctx.source.logGroup ?? ''} ${ctx.source.logStream ?? ''}`.toLowerCase();
  return hint.includes('apache') || hint.includes('httpd');
}

/** Auto-detection: cheap first-character checks pick the few parsers worth trying. */
function detect(line: string, ctx: ParseContext): ParsedLine | undefined {
  const first = line.charCodeAt(0);
  if (first === 0x7b /* { */) return appJson.parse(line, ctx);
  if (first === 0x53 /* S */ || first === 0x45 /* E */ || first === 0x52 /* R */ || first === 0x49 /* I */ || first === 0x5b /* [ */) {
    const lambda = awsLambda.parse(line, ctx);
    if (lambda) return lambda;
  }
  if ((first >= 0x30 && first <= 0x39) || (first >= 0x61 && first <= 0x66) || first === 0x3a) {
    const access = looksApache(ctx) ? apacheAccess.parse(line, ctx) : nginxAccess.parse(line, ctx);
    if (access) {
      // Apache escapes quotes as \" where nginx writes \x22: the line tells which server wrote it.
      if (access.dataset === 'nginx.access' && line.includes('\\"')) return apacheAccess.parse(line, ctx) ?? access;
      return access;
    }
    const err = nginxError.parse(line, ctx);
    if (err) return err;
    const lambda = awsLambda.parse(line, ctx);
    if (lambda) return lambda;
  }
  return undefined;
}

function failure(line: string, reason: string): ParsedLine {
  const parsed = text.parse(line, { eventTime: 0, source: {} }) as ParsedLine;
  parsed.tags = ['_parse_failure'];
  parsed.fields = { event: { reason } };
  return parsed;
}

/**
 * Parses one line. A pinned parser that does not match, or a parser that throws, yields a text
 * document tagged `_parse_failure` with the reason: a line is never dropped.
 *
 * @example
 * parseLine('127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326', ctx).dataset // 'nginx.access'
 */
export function parseLine(line: string, ctx: ParseContext, pinned?: Dataset): ParsedLine {
  try {
    if (pinned) {
      const parser = PARSERS[pinned];
      if (!parser) return failure(line, `no parser for ${pinned} in this build`);
      return parser.parse(line, ctx) ?? failure(line, `line does not match ${pinned}`);
    }
    return detect(line, ctx) ?? (text.parse(line, ctx) as ParsedLine);
  } catch (err) {
    return failure(line, `parser error: ${(err as Error).message}`);
  }
}
