// Runs a deployed function's handler in this process as Lambda would: its environment set before its module loads, a Lambda context, its answer as JSON.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { REPO_ROOT } from '#scripts/local/paths.ts';
import { BATCH_SUMMARY, type BatchSummary } from '#shared/pipeline/outcome.ts';
import type { DeployedFunction } from './deployed.ts';
import type { InvokeOutcome } from './kinesis-shard.ts';

export type Invocation = InvokeOutcome & {
  requestId: string;
  /** The handler's batch summary, when it returned one (read before the JSON round trip drops it). */
  summary?: BatchSummary;
};

export interface LocalFunction {
  fn: DeployedFunction;
  invoke(event: unknown): Promise<Invocation>;
}

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** `functions/kinesis.handler` → the module file and the export the handler names. */
export function handlerModule(handler: string): { file: string; exportName: string } {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0) throw new Error(`handler ${JSON.stringify(handler)} is not <file>.<export>`);
  const base = handler.slice(0, dot);
  if (base.includes('..') || path.isAbsolute(base))
    throw new Error(`handler ${JSON.stringify(handler)} points outside the repository`);
  return { file: path.join(REPO_ROOT, `${base}.ts`), exportName: handler.slice(dot + 1) };
}

function lambdaContext(fn: DeployedFunction, requestId: string): Context {
  const end = Date.now() + fn.timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: fn.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: fn.arn,
    memoryLimitInMB: String(fn.memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${fn.name}`,
    logStreamName: `dev/[$LATEST]${requestId.replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, end - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

function summaryOf(response: unknown): BatchSummary | undefined {
  if (response === null || typeof response !== 'object') return undefined;
  const tagged = (response as { [BATCH_SUMMARY]?: BatchSummary })[BATCH_SUMMARY];
  if (tagged) return tagged;
  return 'indexed' in response ? (response as BatchSummary) : undefined;
}

/**
 * Loads each function's handler: sets process.env to what the deployed function has (plus
 * `overrides`, e.g. quieter logs) and then imports its module, which reads its environment once, at
 * load, as in Lambda. Invoking resolves to the handler's answer as Lambda would serialise it, or to a
 * function error: a throw, or running past the function's timeout.
 *
 * @example
 * const [ingest] = await loadFunctions([deployment.functions[0]], { POWERTOOLS_LOG_LEVEL: 'WARN' });
 * const result = await ingest.invoke(event);
 */
export async function loadFunctions(
  functions: DeployedFunction[],
  overrides: Record<string, string> = {},
): Promise<LocalFunction[]> {
  const loaded: LocalFunction[] = [];
  for (const fn of functions) {
    const { file, exportName } = handlerModule(fn.handler);
    Object.assign(process.env, fn.environment, {
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      ...overrides,
    });
    const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const handler = module[exportName];
    if (typeof handler !== 'function')
      throw new Error(`${fn.name}: ${file} has no export ${exportName}`);
    loaded.push({ fn, invoke: (event) => invoke(fn, handler as Handler, event) });
  }
  return loaded;
}

async function invoke(fn: DeployedFunction, handler: Handler, event: unknown): Promise<Invocation> {
  const requestId = randomUUID();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Task timed out after ${(fn.timeoutMs / 1000).toFixed(2)} seconds`)),
      fn.timeoutMs,
    );
  });
  try {
    // Lambda hands the function a parsed copy of the event, never the caller's object.
    const answer = await Promise.race([
      handler(JSON.parse(JSON.stringify(event)), lambdaContext(fn, requestId)),
      timedOut,
    ]);
    const response = answer === undefined ? null : JSON.parse(JSON.stringify(answer));
    return { kind: 'ok', response, requestId, summary: summaryOf(answer) };
  } catch (error) {
    return { kind: 'error', error: (error as Error).message ?? String(error), requestId };
  } finally {
    clearTimeout(timer);
  }
}
