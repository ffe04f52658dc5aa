// The environment a deployed function runs with: serverless.yml's provider environment at its default params, Lambda's own variables, and the local stack's endpoints.
import { readServerless } from './bundles.ts';

const PARAM = /^\$\{param:(\w+)(?:,[^}]*)?\}$/;

/** A `${param:x}` value resolved from `params.default`, a literal kept, anything else left to the caller. */
function resolve(value: unknown, params: Record<string, unknown>): string | undefined {
  if (typeof value !== 'string') return typeof value === 'number' ? String(value) : undefined;
  const m = PARAM.exec(value);
  if (m) {
    const p = params[m[1]!];
    return p === undefined || p === null ? undefined : resolve(p, {});
  }
  return value.includes('${') ? undefined : value;
}

/** The memory a function is configured with (its own, else the provider's, else the default param). */
export function configuredMemoryMb(root: string, fn?: string): number {
  const sls = readServerless(root);
  const params = sls.params?.default ?? {};
  for (const v of [fn ? sls.functions?.[fn]?.memorySize : undefined, sls.provider?.memorySize]) {
    const n = Number(resolve(v, params));
    if (Number.isFinite(n) && n > 0) return n;
  }
  return 1769;
}

/**
 * What `functionName` sees in Lambda: the provider environment of serverless.yml (log level, metrics
 * namespace, `NODE_OPTIONS`, … at the default stage params), the variables the Lambda runtime sets,
 * then `stack` (endpoints, bucket, credentials of the local stack), which wins.
 *
 * @example
 * deployedEnv(root, 'logferry-bench-ingestCloudwatch', 'ingestCloudwatch', localEnv())
 */
export function deployedEnv(
  root: string,
  functionName: string,
  fn: string | undefined,
  stack: Record<string, string>,
): Record<string, string> {
  const sls = readServerless(root);
  const params = sls.params?.default ?? {};
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(sls.provider?.environment ?? {})) {
    const v = resolve(value, params);
    if (v !== undefined) env[key] = v;
  }
  return {
    ...env,
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(configuredMemoryMb(root, fn)),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: '2025/11/20/[$LATEST]bench',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    ...stack,
  };
}
