// The local stack as a library: start what is missing, stop what we started, report, and its env.
import path from 'node:path';
import { ensureBucket, isMotoHealthy, MOTO_MARKER, startMoto } from './moto.ts';
import {
  isOpenSearchHealthy,
  OPENSEARCH_MARKER,
  openSearchNodeId,
  startOpenSearch,
} from './opensearch.ts';
import { REPO_ROOT, SLACK_MESSAGES_FILE, TMP_DIR } from './paths.ts';
import { httpGet, parseJson, portInUse, waitUntil } from './probe.ts';
import {
  isServiceAlive,
  killGroup,
  listPidFileIds,
  logFilePath,
  readPidFile,
  removePidFile,
  spawnDetached,
  stopGroup,
  tailFile,
  withLock,
} from './process.ts';
import { SLACK_RECEIVER_SERVICE } from './slack-receiver.ts';

// One import for scripts and tests: the fault-test helpers and paths live beside the stack.
export { type OpenSearchNode, type StartOpenSearchOptions, startOpenSearch } from './opensearch.ts';
export { LOCAL_DIR, SLACK_MESSAGES_FILE } from './paths.ts';
export { type RecordedMessage, type SlackReceiver, startSlackReceiver } from './slack-receiver.ts';

const SLACK_RECEIVER_FILE = path.join(REPO_ROOT, 'scripts', 'local', 'slack-receiver.ts');

export const OPENSEARCH_URL_DEFAULT = 'http://127.0.0.1:9200';
export const MOTO_URL_DEFAULT = 'http://127.0.0.1:5000';
export const SLACK_URL_DEFAULT = 'http://127.0.0.1:4588';
export const ARCHIVE_BUCKET_DEFAULT = 'logferry-archive-local';
export const SLACK_WEBHOOK_URL_DEFAULT = `${SLACK_URL_DEFAULT}/services/T000/B000/local`;

export type ServiceName = 'opensearch' | 'moto' | 'slack';
export const SERVICE_NAMES: readonly ServiceName[] = ['opensearch', 'moto', 'slack'];

type Log = (line: string) => void;

/**
 * The environment the pipeline should run with against the local stack. Values already set in
 * `env` win, so `OPENSEARCH_URL=... npm test` points everything at another cluster.
 *
 * @example
 * spawn('npx', ['tsx', 'scripts/replay.ts', 'events/'], { env: { ...process.env, ...localEnv() } });
 */
export function localEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const defaults: Record<string, string> = {
    OPENSEARCH_URL: OPENSEARCH_URL_DEFAULT,
    AWS_ENDPOINT_URL: MOTO_URL_DEFAULT,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    ARCHIVE_BUCKET: ARCHIVE_BUCKET_DEFAULT,
    SLACK_WEBHOOK_URL: SLACK_WEBHOOK_URL_DEFAULT,
  };
  return Object.fromEntries(
    Object.entries(defaults).map(([key, value]) => [key, env[key] || value]),
  );
}

interface ServiceSpec {
  name: ServiceName;
  defaultUrl: string;
  /** Env var that points this service somewhere else, in which case we start nothing. */
  envVar: string;
  /** Turns the env var's value into the service's base URL. */
  baseUrl(value: string): string;
  marker: string;
  healthy(url: string): Promise<boolean>;
  start(url: string, log: Log): Promise<void>;
}

const origin = (value: string): string => new URL(value).origin;

const SPECS: Record<ServiceName, ServiceSpec> = {
  opensearch: {
    name: 'opensearch',
    defaultUrl: OPENSEARCH_URL_DEFAULT,
    envVar: 'OPENSEARCH_URL',
    baseUrl: (value) => value.replace(/\/+$/, ''),
    marker: OPENSEARCH_MARKER,
    healthy: isOpenSearchHealthy,
    start: async (url, log) => {
      await startOpenSearch({ name: 'main', port: Number(new URL(url).port), fresh: false, log });
    },
  },
  moto: {
    name: 'moto',
    defaultUrl: MOTO_URL_DEFAULT,
    envVar: 'AWS_ENDPOINT_URL',
    baseUrl: origin,
    marker: MOTO_MARKER,
    healthy: isMotoHealthy,
    start: async (url, log) => {
      await startMoto({ port: Number(new URL(url).port), log });
    },
  },
  slack: {
    name: 'slack',
    defaultUrl: SLACK_URL_DEFAULT,
    envVar: 'SLACK_WEBHOOK_URL',
    baseUrl: origin,
    marker: SLACK_RECEIVER_FILE,
    healthy: isSlackReceiverHealthy,
    start: startSlack,
  },
};

async function isSlackReceiverHealthy(url: string): Promise<boolean> {
  const answer = await httpGet(`${url}/_health`, 2_000);
  const body =
    answer?.status === 200 ? (parseJson(answer.body) as { service?: string }) : undefined;
  return body?.service === SLACK_RECEIVER_SERVICE;
}

async function startSlack(url: string, log: Log): Promise<void> {
  log(`starting the Slack receiver on ${url}`);
  const { port, hostname } = new URL(url);
  const detached = spawnDetached({
    id: 'slack',
    url,
    command: process.execPath,
    args: [
      '--import',
      'tsx',
      SLACK_RECEIVER_FILE,
      '--port',
      port,
      '--host',
      hostname,
      '--file',
      SLACK_MESSAGES_FILE,
    ],
    // tsx resolves from here, and keeps its compile cache under TMPDIR.
    cwd: REPO_ROOT,
    env: { ...process.env, TMPDIR: TMP_DIR },
    logFile: logFilePath('slack'),
  });
  try {
    await waitUntil(`Slack receiver at ${url}`, () => isSlackReceiverHealthy(url), {
      timeoutMs: 30_000,
      intervalMs: 200,
      failFast: () => (detached.exit ? `exited (code ${detached.exit.code})` : undefined),
    });
  } catch (error) {
    await killGroup(detached.pid).catch(() => {});
    removePidFile('slack');
    throw new Error(`${(error as Error).message}\n${tailFile(detached.logFile, 20)}`, {
      cause: error,
    });
  }
}

export type ServiceState = 'up' | 'down' | 'unhealthy';

export interface ServiceStatus {
  name: string;
  url: string;
  state: ServiceState;
  /** Pid (and process group) of the copy we started, when one runs. */
  pid?: number;
  /** Started by us (pid file) rather than found on the port or pointed to by an env var. */
  managed: boolean;
  /** The env var that points it elsewhere, when set. */
  external?: string;
  note?: string;
}

function serviceUrl(spec: ServiceSpec, env: NodeJS.ProcessEnv): { url: string; external?: string } {
  const value = env[spec.envVar];
  if (!value) return { url: spec.defaultUrl };
  const url = spec.baseUrl(value);
  return url === spec.defaultUrl ? { url } : { url, external: spec.envVar };
}

function managedPid(spec: ServiceSpec): number | undefined {
  const file = readPidFile(spec.name === 'opensearch' ? openSearchNodeId('main') : spec.name);
  return file && isServiceAlive(file.pid, spec.marker) ? file.pid : undefined;
}

async function statusOf(spec: ServiceSpec, env: NodeJS.ProcessEnv): Promise<ServiceStatus> {
  const { url, external } = serviceUrl(spec, env);
  if (external) {
    const answers = (await httpGet(url, 3_000)) !== undefined;
    return {
      name: spec.name,
      url,
      state: answers ? 'up' : 'down',
      managed: false,
      external,
      note: `${external} is set: not managed here`,
    };
  }
  const pid = managedPid(spec);
  if (await spec.healthy(url)) {
    return pid
      ? { name: spec.name, url, state: 'up', pid, managed: true }
      : {
          name: spec.name,
          url,
          state: 'up',
          managed: false,
          note: 'running, not started by logferry',
        };
  }
  if (pid) return { name: spec.name, url, state: 'unhealthy', pid, managed: true };
  const { hostname, port } = new URL(url);
  const busy = await portInUse(hostname, Number(port));
  return busy
    ? {
        name: spec.name,
        url,
        state: 'unhealthy',
        managed: false,
        note: `port ${port} is taken by something else`,
      }
    : { name: spec.name, url, state: 'down', managed: false };
}

/** Extra OpenSearch nodes that fault tests started and that still have a pid file. */
async function extraNodeStatuses(): Promise<ServiceStatus[]> {
  const ids = listPidFileIds().filter((id) => id.startsWith('os-'));
  return Promise.all(
    ids.map(async (id): Promise<ServiceStatus> => {
      const file = readPidFile(id);
      const url = file?.url ?? '?';
      const alive = file ? isServiceAlive(file.pid, OPENSEARCH_MARKER) : false;
      if (!alive) return { name: id, url, state: 'down', managed: true, note: 'stale pid file' };
      const healthy = file?.url ? await isOpenSearchHealthy(file.url) : false;
      return { name: id, url, state: healthy ? 'up' : 'unhealthy', pid: file?.pid, managed: true };
    }),
  );
}

/** One entry per service (and per extra OpenSearch node still running), without changing anything. */
export async function stackStatus(env: NodeJS.ProcessEnv = process.env): Promise<ServiceStatus[]> {
  const main = await Promise.all(SERVICE_NAMES.map((name) => statusOf(SPECS[name], env)));
  return [...main, ...(await extraNodeStatuses())];
}

export interface EnsureStackOptions {
  services?: ServiceName[];
  /** Progress lines; quiet by default so tests keep their output. */
  log?: Log;
  env?: NodeJS.ProcessEnv;
}

export interface EnsureStackResult {
  /** The services this call started; only these should be stopped by the caller. */
  started: ServiceName[];
  status: ServiceStatus[];
}

async function ensureService(
  spec: ServiceSpec,
  env: NodeJS.ProcessEnv,
  log: Log,
): Promise<boolean> {
  const { url, external } = serviceUrl(spec, env);
  if (external) {
    if ((await httpGet(url, 5_000)) === undefined) {
      throw new Error(`${spec.name}: ${external}=${env[external]} does not answer`);
    }
    log(`${spec.name}: using ${url} (${external} is set)`);
    return false;
  }
  const id = spec.name === 'opensearch' ? openSearchNodeId('main') : spec.name;
  const pidFile = readPidFile(id);
  if (pidFile && isServiceAlive(pidFile.pid, spec.marker)) {
    if (await spec.healthy(url)) return false;
    // Ours but not answering: busy, or still starting for a caller that died. Give it the time a
    // start would take before restarting it, since a restart would pull it from under its users.
    log(`${spec.name}: pid ${pidFile.pid} does not answer on ${url} yet; waiting`);
    const recovered = await waitUntil(spec.name, () => spec.healthy(url), {
      timeoutMs: spec.name === 'opensearch' ? 120_000 : 30_000,
      intervalMs: 1_000,
      failFast: () => (isServiceAlive(pidFile.pid, spec.marker) ? undefined : 'exited'),
    }).then(
      () => true,
      () => false,
    );
    if (recovered) return false;
    log(`${spec.name}: pid ${pidFile.pid} never answered; restarting it`);
    await stopGroup(pidFile.pid);
  }
  if (pidFile) removePidFile(id);
  if (await spec.healthy(url)) {
    log(`${spec.name}: already running on ${url}, not started by logferry; leaving it alone`);
    return false;
  }
  const { hostname, port } = new URL(url);
  if (await portInUse(hostname, Number(port))) {
    throw new Error(
      `${spec.name}: port ${port} is taken by something that is not the ${spec.name} we expect`,
    );
  }
  await spec.start(url, log);
  return true;
}

async function prepareMoto(env: NodeJS.ProcessEnv, log: Log): Promise<void> {
  const vars = localEnv(env);
  const endpoint = vars.AWS_ENDPOINT_URL ?? MOTO_URL_DEFAULT;
  // Never create buckets through a real AWS endpoint someone pointed us at.
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(endpoint).hostname)) return;
  const created = await ensureBucket({
    endpoint,
    region: vars.AWS_REGION ?? 'us-east-1',
    bucket: vars.ARCHIVE_BUCKET ?? ARCHIVE_BUCKET_DEFAULT,
    accessKeyId: vars.AWS_ACCESS_KEY_ID ?? 'test',
    secretAccessKey: vars.AWS_SECRET_ACCESS_KEY ?? 'test',
  });
  if (created) log(`moto: created bucket ${vars.ARCHIVE_BUCKET}`);
}

/**
 * Starts whichever requested services are not already up (all three by default), in parallel,
 * and makes sure the archive bucket exists. If one fails, the ones this call started are stopped
 * again before the error is thrown, so a failed start leaves nothing behind.
 *
 * @example
 * const { started } = await ensureStack({ services: ['opensearch'] });
 * try { ... } finally { await stopStack(started); }
 */
export async function ensureStack(options: EnsureStackOptions = {}): Promise<EnsureStackResult> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const names = options.services ?? [...SERVICE_NAMES];
  return withLock('stack', async () => {
    const started: ServiceName[] = [];
    const results = await Promise.allSettled(
      names.map(async (name) => {
        if (await ensureService(SPECS[name], env, log)) started.push(name);
        if (name === 'moto') await prepareMoto(env, log);
      }),
    );
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (failures.length > 0) {
      await stopManaged(started, log);
      const messages = failures.map((f) => (f instanceof Error ? f.message : String(f)));
      throw new Error(`local stack did not start:\n${messages.join('\n\n')}`, {
        cause: failures[0],
      });
    }
    const status = (await stackStatus(env)).filter((s) => (names as string[]).includes(s.name));
    return { started, status };
  });
}

async function stopManaged(ids: string[], log: Log): Promise<string[]> {
  const stopped: string[] = [];
  await Promise.all(
    ids.map(async (id) => {
      const file = readPidFile(id);
      if (!file) return;
      const marker = id.startsWith('os-') ? OPENSEARCH_MARKER : SPECS[id as ServiceName]?.marker;
      if (marker && isServiceAlive(file.pid, marker)) {
        const how = await stopGroup(file.pid);
        log(`${id}: ${how} (pid ${file.pid})`);
        stopped.push(id);
      }
      removePidFile(id);
    }),
  );
  return stopped.sort();
}

/**
 * Stops what our pid files name: the given services, or by default every one of them including
 * extra OpenSearch nodes left by fault tests. Services we did not start are never touched.
 */
export async function stopStack(
  names?: string[],
  options: { log?: Log } = {},
): Promise<{ stopped: string[] }> {
  const log = options.log ?? (() => {});
  return withLock('stack', async () => ({
    stopped: await stopManaged(names ?? listPidFileIds(), log),
  }));
}
