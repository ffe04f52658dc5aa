// `npm run stack -- up|down|status|env`: the local OpenSearch, moto and Slack receiver by hand.
import { parseArgs } from 'node:util';
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

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, ...names] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  switch (command) {
    case 'up': {
      const unknown = names.filter((n) => !(SERVICE_NAMES as string[]).includes(n));
      if (unknown.length > 0) throw new Error(`unknown service ${unknown.join(', ')}\n\n${USAGE}`);
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
      throw new Error(`unknown command ${command}\n\n${USAGE}`);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`stack: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
