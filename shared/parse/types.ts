// The contract every line parser implements.
import type { Dataset, EventSource, ParsedLine } from '#shared/model.ts';

export interface ParseContext {
  /** CloudWatch/Kinesis timestamp (epoch ms): supplies the date or year a line lacks. */
  eventTime: number;
  /** Zone for zone-less times; UTC when absent. */
  timeZone?: string;
  source: EventSource;
}

export interface LineParser {
  dataset: Dataset;
  /** Parses the line, or returns undefined when it is not of this format. Never throws on bad input. */
  parse(line: string, ctx: ParseContext): ParsedLine | undefined;
}
