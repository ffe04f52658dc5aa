// `npm run stack -- up|down|status|env`: the local OpenSearch, moto and Slack receiver by hand.

import { type CliRun, runCli, UsageError } from './cli.ts';
import {
  ensureStack,
  localEnv,
  SERVICE_NAMES,
  type ServiceName,
  type ServiceStatus,
  stackStatus,
  stopStack,
} from './local/stack.ts';

const USAGE = `Usage: npm run stack -- <command> [names...]

  up [opensearch|moto|slack ...]  start what is not already running (all three by default)
  down [name ...]                 stop what logferry started (everything by default,
                                  extra OpenSearch nodes of fault tests included)
  status [--json]                 one line per service
  env                             export lines for the local stack, for eval in a shell

OPENSEARCH_URL, AWS_ENDPOINT_URL or SLACK_WEBHOOK_URL set to another address means that
service is used as it is and never started or stopped here.`;

const log = (line: string): void => {
  process.stderr.write(`stack: ${line}\n`);
};

function formatStatus(rows: ServiceStatus[]): string {
  const widths = [
    Math.max(...rows.map((r) => r.name.length)),
    Math.max(...rows.map((r) => r.url.length)),
    Math.max(...rows.map((r) => r.state.length)),
  ];
  return rows
    .map((r) =>
      [
        r.name.padEnd(widths[0] ?? 0),
        r.url.padEnd(widths[1] ?? 0),
        r.state.padEnd(widths[2] ?? 0),
        (r.pid ? `pid ${r.pid}` : '-').padEnd(10),
        r.note ?? '',
      ]
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

const OPTIONS = { json: { type: 'boolean', default: false } } as const;

async function main({ values, positionals }: CliRun<typeof OPTIONS>): Promise<number> {
  const [command, ...names] = positionals;
  if (!command) throw new UsageError('no command given');
  switch (command) {
    case 'up': {
      const unknown = names.filter((n) => !(SERVICE_NAMES as string[]).includes(n));
      if (unknown.length > 0) throw new UsageError(`unknown service ${unknown.join(', ')}`);
      const started = Date.now();
      const result = await ensureStack({
        services: names.length > 0 ? (names as ServiceName[]) : undefined,
        log,
      });
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      log(
        result.started.length > 0
          ? `started ${result.started.join(', ')} in ${seconds}s`
          : `nothing to start (${seconds}s)`,
      );
      console.log(formatStatus(result.status));
      return 0;
    }
    case 'down': {
      const { stopped } = await stopStack(names.length > 0 ? names : undefined, { log });
      log(stopped.length > 0 ? `stopped ${stopped.join(', ')}` : 'nothing of ours was running');
      return 0;
    }
    case 'status': {
      const rows = await stackStatus();
      console.log(values.json ? JSON.stringify(rows, null, 2) : formatStatus(rows));
      return 0;
    }
    case 'env':
      for (const [key, value] of Object.entries(localEnv())) {
        console.log(`export ${key}=${shellQuote(value)}`);
      }
      return 0;
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

runCli({ name: 'stack', usage: USAGE, options: OPTIONS, allowPositionals: true, run: main });
