// The one runner every command in scripts/ goes through: arguments, usage and --help, --local, the environment, exit codes.
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { ConfigError, DecodeError, EndpointResolutionError } from '#shared/errors.ts';

/** Exit codes: what a shell script or CI step can rely on. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Wrong arguments: the message and the usage go to stderr, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

export interface CliRun<O extends Options> {
  values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>>['values'];
  positionals: string[];
  /**
   * The environment to read settings from (`readEnv(cli.env)`): process.env, with the local stack's
   * settings filled in once `localStack()` has run. process.env itself is left alone, except by a
   * command that loads a handler, which reads it at import as in Lambda.
   */
  env: NodeJS.ProcessEnv;
  /** Whether this run talks to the local stack. */
  local: boolean;
  /** Starts what the local stack lacks and fills `env` with its settings; the services it started. */
  localStack(): Promise<string[]>;
}

export interface CliSpec<O extends Options> {
  /** The npm script, as errors are prefixed with it: `backfill: …`. */
  name: string;
  usage: string;
  options: O;
  allowPositionals?: boolean;
  /**
   * When the run uses the local stack: with `--local` (added to the options), or also when none of
   * these environment variables points anywhere else (`OPENSEARCH_URL`, `AWS_ENDPOINT_URL`, …).
   * Unset: the command decides itself (replay: unless --dry-run).
   */
  local?: { orWhenUnset?: readonly string[] };
  run(cli: CliRun<O>): Promise<number> | number;
}

/** Errors that mean the input was wrong (arguments, configuration, an input file), not the program: the message alone, exit 2. */
function isUserError(err: unknown): boolean {
  return (
    err instanceof UsageError ||
    err instanceof ConfigError ||
    err instanceof DecodeError ||
    err instanceof EndpointResolutionError ||
    // An AWS resource the arguments name (a log group, a queue) does not exist.
    (err as Error)?.name === 'ResourceNotFoundException'
  );
}

/**
 * Parses the arguments, answers `--help`, sets up the local stack when asked and runs the command,
 * turning its result into the exit code: 0 done, 1 done but something failed, 2 wrong arguments or
 * configuration (said in one line, with the usage for wrong arguments).
 *
 * @example
 * runCli({ name: 'reindex', usage: USAGE, options: { from: { type: 'string' } }, run: async (cli) => 0 });
 */
export function runCli<O extends Options>(spec: CliSpec<O>): void {
  const options = {
    ...spec.options,
    help: { type: 'boolean', short: 'h' },
    ...(spec.local ? { local: { type: 'boolean' } } : {}),
  } as O;
  const main = async (): Promise<number> => {
    let parsed: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>>;
    try {
      parsed = parseArgs({
        options,
        allowPositionals: spec.allowPositionals ?? false,
        strict: true,
      });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const values = parsed.values as CliRun<O>['values'] & { help?: boolean; local?: boolean };
    if (values.help) {
      console.log(spec.usage);
      return EXIT.ok;
    }
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      // The functions' own logs and EMF metrics would bury a command's output.
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
      POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
    };
    const unset = spec.local?.orWhenUnset;
    const cli: CliRun<O> = {
      values,
      positionals: parsed.positionals,
      env,
      local: Boolean(values.local || unset?.every((name) => !process.env[name])),
      async localStack() {
        // Loaded only here: a command that never runs locally must not need the local stack's code.
        const { ensureStack, localEnv } = await import('./local/stack.ts');
        const { started } = await ensureStack({ env });
        Object.assign(env, localEnv(env));
        cli.local = true;
        return started;
      },
    };
    if (spec.local && cli.local) await cli.localStack();
    return spec.run(cli);
  };
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      const e = err as Error;
      console.error(`${spec.name}: ${isUserError(e) ? e.message : (e.stack ?? String(e))}`);
      if (e instanceof UsageError) console.error(`\n${spec.usage}`);
      process.exitCode = isUserError(e) ? EXIT.usage : EXIT.failed;
    },
  );
}

/**
 * Progress on stderr: one line rewritten in place on a terminal, plain lines otherwise (CI logs, pipes).
 *
 * @example
 * const progress = progressLine(process.stderr);
 * progress.update('3/10 objects'); progress.done();
 */
export function progressLine(stream: NodeJS.WriteStream, enabled = true) {
  const tty = stream.isTTY === true;
  let shown = false;
  return {
    update(text: string): void {
      if (!enabled) return;
      if (tty) {
        stream.write(`\r\x1b[K${text}`);
        shown = true;
      } else stream.write(`${text}\n`);
    },
    done(): void {
      if (shown) stream.write('\n');
      shown = false;
    },
  };
}
