// Local OpenSearch nodes: fetch the distribution with Maven, unpack it, run nodes as a non-root user.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DOWNLOADS_DIR, LOCAL_DIR, LOGS_DIR, TMP_DIR } from './paths.ts';
import { httpGet, NotReadyError, parseJson, portInUse, waitUntil } from './probe.ts';
import {
  killGroup,
  logFilePath,
  removePidFile,
  spawnDetached,
  stopGroup,
  tailFile,
  withLock,
} from './process.ts';

export const OPENSEARCH_VERSION = '2.19.3';
export const OPENSEARCH_ARTIFACT = `org.opensearch.distribution.integ-test-zip:opensearch:${OPENSEARCH_VERSION}:zip`;
export const OPENSEARCH_HOME = path.join(LOCAL_DIR, `opensearch-${OPENSEARCH_VERSION}`);
/** OpenSearch refuses to run as root, so as root we run it as this system user. */
export const OPENSEARCH_USER = 'logferry-os';
/** Found in the command line of both the launcher script and the JVM, to recognise our nodes. */
export const OPENSEARCH_MARKER = OPENSEARCH_HOME;

// Pinned so a warm ~/.m2 needs no network and CI resolves the same plugin everywhere.
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:2.8';
const COMPLETE_MARKER = '.logferry-complete';
const ZIP_NAME = `opensearch-${OPENSEARCH_VERSION}.zip`;

type Log = (line: string) => void;

export type SettingValue = string | number | boolean;

export interface StartOpenSearchOptions {
  /** HTTP port; 9200 is the stack's own node, fault tests use 9201 and up. */
  port?: number;
  /** Defaults to port + 100, so 9201 pairs with 9301 and never meets the main node's 9300. */
  transportPort?: number;
  /** Names the node and its directory `.local/os-<name>/`. */
  name?: string;
  /** Extra opensearch.yml settings, e.g. `{ 'thread_pool.write.queue_size': 1 }`. */
  settings?: Record<string, SettingValue>;
  /** JVM heap, both -Xms and -Xmx. */
  heap?: string;
  /** Wipe the node's data first so a fault test starts from nothing (default true). */
  fresh?: boolean;
  timeoutMs?: number;
  log?: Log;
}

export interface OpenSearchNode {
  name: string;
  url: string;
  port: number;
  pid: number;
  /** Console output of the node. */
  logFile: string;
  dir: string;
  /** SIGTERM, then SIGKILL if it has not shut down within the grace period. */
  stop(): Promise<void>;
  /** SIGKILL at once, as a crash would. */
  kill(): Promise<void>;
}

/** Pid-file and log name of a node: the stack's own is `opensearch`, extra ones `os-<name>`. */
export const openSearchNodeId = (name: string): string =>
  name === 'main' ? 'opensearch' : `os-${name}`;

/** Whether the cluster at the URL is at least yellow, i.e. every primary shard is allocated. */
export async function isOpenSearchHealthy(url: string): Promise<boolean> {
  const answer = await httpGet(`${url}/_cluster/health?wait_for_status=yellow&timeout=2s`, 5_000);
  if (answer?.status !== 200) return false;
  const body = parseJson(answer.body) as { status?: string } | undefined;
  return body?.status === 'green' || body?.status === 'yellow';
}

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv }) {
  return spawnSync(command, args, { encoding: 'utf8', ...options });
}

function which(command: string): string | undefined {
  const found = run('sh', ['-c', `command -v ${command}`], {});
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/** Fetches the zip through Maven (so ~/.m2 caches it across checkouts) into .local/downloads/. */
function downloadDistribution(log: Log): string {
  const zip = path.join(DOWNLOADS_DIR, ZIP_NAME);
  if (fs.existsSync(zip)) return zip;
  if (!which('mvn')) {
    throw new Error(
      'Maven (mvn) is needed to fetch OpenSearch: apt-get install maven (see .ci/run)',
    );
  }
  log(`fetching ${OPENSEARCH_ARTIFACT} with Maven`);
  const staging = fs.mkdtempSync(path.join(DOWNLOADS_DIR, 'partial-'));
  const mavenLog = path.join(LOGS_DIR, 'maven.log');
  const result = run(
    'mvn',
    [
      '-B',
      '-q',
      '-Dstyle.color=never',
      `${DEPENDENCY_PLUGIN}:copy`,
      `-Dartifact=${OPENSEARCH_ARTIFACT}`,
      `-DoutputDirectory=${staging}`,
    ],
    // No pom here on purpose: the goal runs without a project.
    {
      cwd: staging,
      env: { ...process.env, MAVEN_OPTS: `${process.env.MAVEN_OPTS ?? ''} -XX:-UsePerfData` },
    },
  );
  fs.writeFileSync(mavenLog, `${result.stdout ?? ''}${result.stderr ?? ''}`);
  const fetched = path.join(staging, ZIP_NAME);
  if (result.status !== 0 || !fs.existsSync(fetched)) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw new Error(`Maven could not fetch ${OPENSEARCH_ARTIFACT}:\n${tailFile(mavenLog, 30)}`);
  }
  fs.renameSync(fetched, zip);
  fs.rmSync(staging, { recursive: true, force: true });
  return zip;
}

// Python's zipfile rather than unzip(1): python3 is already required for moto, unzip may be absent.
const UNZIP_PY = `
import os, sys, zipfile
src, dest = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(src) as z:
    for info in z.infolist():
        target = z.extract(info, dest)
        mode = (info.external_attr >> 16) & 0o777
        executable = info.is_dir() or mode & 0o111 or '/bin/' in info.filename
        # World-readable whatever root's umask, since another user runs the node.
        os.chmod(target, 0o755 if executable else 0o644)
`;

/** Downloads and unpacks the distribution once into .local/opensearch-<version>/. */
export async function ensureOpenSearchDistribution(log: Log = () => {}): Promise<string> {
  return withLock('opensearch-dist', async () => {
    if (fs.existsSync(path.join(OPENSEARCH_HOME, COMPLETE_MARKER))) return OPENSEARCH_HOME;
    for (const dir of [DOWNLOADS_DIR, TMP_DIR, LOGS_DIR]) fs.mkdirSync(dir, { recursive: true });
    const zip = downloadDistribution(log);
    log(`unpacking ${path.relative(process.cwd(), zip)}`);
    const staging = fs.mkdtempSync(path.join(TMP_DIR, 'opensearch-unzip-'));
    try {
      const result = run('python3', ['-c', UNZIP_PY, zip, staging], {});
      if (result.status !== 0) {
        throw new Error(`could not unpack ${zip}: ${result.stderr}`);
      }
      fs.rmSync(OPENSEARCH_HOME, { recursive: true, force: true });
      fs.renameSync(path.join(staging, `opensearch-${OPENSEARCH_VERSION}`), OPENSEARCH_HOME);
      fs.writeFileSync(
        path.join(OPENSEARCH_HOME, COMPLETE_MARKER),
        `${new Date().toISOString()}\n`,
      );
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
    return OPENSEARCH_HOME;
  });
}

interface RunAs {
  uid: number;
  gid: number;
}

function idOf(flag: '-u' | '-g'): number | undefined {
  const result = run('id', [flag, OPENSEARCH_USER], {});
  return result.status === 0 ? Number(result.stdout.trim()) : undefined;
}

/** As root, the unprivileged system user that runs the nodes, created on first use. */
function ensureRunAsUser(log: Log): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  if (idOf('-u') === undefined) {
    log(`creating system user ${OPENSEARCH_USER} (OpenSearch refuses to run as root)`);
    const created = run(
      'useradd',
      [
        '--system',
        '--user-group',
        '--no-create-home',
        '--home-dir',
        '/nonexistent',
        '--shell',
        '/usr/sbin/nologin',
        OPENSEARCH_USER,
      ],
      {},
    );
    // A concurrent run may have created it in between, which is fine.
    if (created.status !== 0 && idOf('-u') === undefined) {
      throw new Error(`could not create user ${OPENSEARCH_USER}: ${created.stderr.trim()}`);
    }
  }
  const uid = idOf('-u');
  const gid = idOf('-g');
  if (uid === undefined || gid === undefined) throw new Error(`no user ${OPENSEARCH_USER}`);
  return { uid, gid };
}

function chownTree(dir: string, owner: RunAs): void {
  fs.lchownSync(dir, owner.uid, owner.gid);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(child, owner);
    else fs.lchownSync(child, owner.uid, owner.gid);
  }
}

function resolveJavaHome(): string {
  const fromEnv = process.env.OPENSEARCH_JAVA_HOME || process.env.JAVA_HOME;
  if (fromEnv) return fromEnv;
  const java = which('java');
  if (!java) {
    throw new Error('Java 17 is needed for OpenSearch: apt-get install openjdk-17-jre-headless');
  }
  return path.dirname(path.dirname(fs.realpathSync(java)));
}

function checkJava(javaHome: string): void {
  const result = run(path.join(javaHome, 'bin', 'java'), ['-XX:-UsePerfData', '-version'], {});
  const match = /version "(\d+)(?:\.(\d+))?/.exec(result.stderr ?? '');
  const major = match ? Number(match[1] === '1' ? match[2] : match[1]) : 0;
  if (result.status !== 0 || major < 11) {
    throw new Error(
      `OpenSearch ${OPENSEARCH_VERSION} needs Java 11+ (17 preferred); ${javaHome} gave: ${(result.stderr ?? '').trim()}`,
    );
  }
}

/** Tells which directory keeps the node's user out, instead of a bare "permission denied". */
function explainAccess(paths: string[], owner: RunAs): string {
  for (const target of paths) {
    let dir = path.dirname(target);
    const blocked: string[] = [];
    for (;;) {
      const stat = fs.statSync(dir);
      const traversable = stat.uid === owner.uid || (stat.mode & 0o001) !== 0;
      if (!traversable) blocked.push(dir);
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
    if (blocked.length > 0) {
      return `user ${OPENSEARCH_USER} cannot traverse ${blocked.join(', ')} (needs o+x) to reach ${target}`;
    }
  }
  return `user ${OPENSEARCH_USER} cannot read the distribution, run Java or write its directories`;
}

function checkAccess(javaHome: string, nodeDir: string, owner: RunAs): void {
  const script =
    'test -r "$1/lib/opensearch-$4.jar" && test -x "$1/bin/opensearch" && test -w "$2/data" ' +
    '&& test -w "$2/config" && "$3/bin/java" -XX:-UsePerfData -version 2>/dev/null';
  const result = spawnSync(
    '/bin/sh',
    ['-c', script, 'sh', OPENSEARCH_HOME, nodeDir, javaHome, OPENSEARCH_VERSION],
    { uid: owner.uid, gid: owner.gid, cwd: '/', env: { PATH: '/usr/bin:/bin' } },
  );
  if (result.status !== 0) {
    throw new Error(
      explainAccess(
        [path.join(OPENSEARCH_HOME, 'lib'), path.join(nodeDir, 'data'), javaHome],
        owner,
      ),
    );
  }
}

/**
 * A JAVA_HOME whose bin/java adds -XX:-UsePerfData. The launcher runs several JVMs of its own and
 * drops JAVA_TOOL_OPTIONS, and each JVM would otherwise write /tmp/hsperfdata_<user>/.
 */
function writeJavaShim(javaHome: string, nodeDir: string): string {
  const shim = path.join(nodeDir, 'java');
  fs.mkdirSync(path.join(shim, 'bin'), { recursive: true });
  const java = path.join(javaHome, 'bin', 'java').replaceAll("'", `'\\''`);
  fs.writeFileSync(
    path.join(shim, 'bin', 'java'),
    `#!/bin/sh\nexec '${java}' -XX:-UsePerfData "$@"\n`,
  );
  fs.chmodSync(path.join(shim, 'bin', 'java'), 0o755);
  return shim;
}

/**
 * The distribution's jvm.options with its cwd-relative paths pinned into the node's own dirs.
 * -XX:-UsePerfData goes here too: the options parser starts a JVM of its own with these options.
 */
function jvmOptions(dataDir: string, logsDir: string): string {
  const options = fs.readFileSync(path.join(OPENSEARCH_HOME, 'config', 'jvm.options'), 'utf8');
  return `${options.trimEnd()}\n-XX:-UsePerfData\n`
    .replace(/^-XX:HeapDumpPath=data$/m, `-XX:HeapDumpPath=${dataDir}`)
    .replace(/^-XX:ErrorFile=logs\//m, `-XX:ErrorFile=${logsDir}/`)
    .replace(/file=logs\/gc\.log/, `file=${logsDir}/gc.log`);
}

function settingsYaml(settings: Record<string, SettingValue>): string {
  return Object.entries(settings)
    .map(([key, value]) => {
      if (!/^[A-Za-z0-9_.-]+$/.test(key)) throw new Error(`bad OpenSearch setting name: ${key}`);
      // JSON strings are valid YAML scalars, and OpenSearch parses every setting from a string.
      return `${key}: ${JSON.stringify(String(value))}\n`;
    })
    .join('');
}

/**
 * Starts a single-node OpenSearch with its own config, data and logs under `.local/os-<name>/`,
 * detached (it outlives the caller until stopped), and resolves once the cluster is yellow.
 *
 * @example
 * const node = await startOpenSearch({ port: 9201, name: 'tiny-queue',
 *   settings: { 'thread_pool.write.queue_size': 1 } });
 * try { ... } finally { await node.kill(); }
 */
export async function startOpenSearch(
  options: StartOpenSearchOptions = {},
): Promise<OpenSearchNode> {
  const log = options.log ?? (() => {});
  const name = options.name ?? 'main';
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`bad node name ${JSON.stringify(name)}`);
  const port = options.port ?? 9200;
  const transportPort = options.transportPort ?? port + 100;
  const url = `http://127.0.0.1:${port}`;
  const id = openSearchNodeId(name);

  for (const busy of [port, transportPort]) {
    if (await portInUse('127.0.0.1', busy)) {
      throw new Error(`cannot start OpenSearch ${name}: port ${busy} is already in use`);
    }
  }
  await ensureOpenSearchDistribution(log);
  const javaHome = resolveJavaHome();
  checkJava(javaHome);

  const nodeDir = path.join(LOCAL_DIR, `os-${name}`);
  const dirs = {
    config: path.join(nodeDir, 'config'),
    data: path.join(nodeDir, 'data'),
    logs: path.join(nodeDir, 'logs'),
    tmp: path.join(nodeDir, 'tmp'),
  };
  if (options.fresh ?? true) fs.rmSync(nodeDir, { recursive: true, force: true });
  fs.rmSync(dirs.config, { recursive: true, force: true });
  fs.rmSync(dirs.tmp, { recursive: true, force: true });
  for (const dir of Object.values(dirs)) fs.mkdirSync(dir, { recursive: true });
  fs.mkdirSync(path.join(dirs.config, 'jvm.options.d'));
  // .local/ may come from a umask that hides it from the node's user.
  fs.chmodSync(LOCAL_DIR, 0o755);
  fs.chmodSync(nodeDir, 0o755);

  const settings: Record<string, SettingValue> = {
    'cluster.name': `logferry-${name}`,
    'node.name': name,
    'path.data': dirs.data,
    'path.logs': dirs.logs,
    'network.host': '127.0.0.1',
    'http.port': port,
    'transport.port': transportPort,
    'discovery.type': 'single-node',
    'cluster.routing.allocation.disk.threshold_enabled': false,
    'action.auto_create_index': true,
    ...options.settings,
  };
  fs.writeFileSync(path.join(dirs.config, 'opensearch.yml'), settingsYaml(settings));
  fs.writeFileSync(path.join(dirs.config, 'jvm.options'), jvmOptions(dirs.data, dirs.logs));
  fs.copyFileSync(
    path.join(OPENSEARCH_HOME, 'config', 'log4j2.properties'),
    path.join(dirs.config, 'log4j2.properties'),
  );

  const javaShim = writeJavaShim(javaHome, nodeDir);

  const owner = await withLock('opensearch-dist', async () => ensureRunAsUser(log));
  if (owner) {
    // The node writes its keystore into config/ at first start, hence config/ too.
    chownTree(nodeDir, owner);
    checkAccess(javaHome, nodeDir, owner);
  }

  const heap = options.heap ?? '512m';
  log(`starting OpenSearch ${name} on ${url}${owner ? ` as ${OPENSEARCH_USER}` : ''}`);
  const detached = spawnDetached({
    id,
    url,
    command: path.join(OPENSEARCH_HOME, 'bin', 'opensearch'),
    args: [],
    // The launcher runs bin/opensearch-keystore by a path relative to the distribution.
    cwd: OPENSEARCH_HOME,
    env: {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: nodeDir,
      LANG: 'C.UTF-8',
      OPENSEARCH_JAVA_HOME: javaShim,
      OPENSEARCH_PATH_CONF: dirs.config,
      OPENSEARCH_TMPDIR: dirs.tmp,
      OPENSEARCH_JAVA_OPTS: `-Xms${heap} -Xmx${heap}`,
    },
    ...(owner ?? {}),
    logFile: logFilePath(id),
  });

  const node: OpenSearchNode = {
    name,
    url,
    port,
    pid: detached.pid,
    logFile: detached.logFile,
    dir: nodeDir,
    stop: async () => {
      await stopGroup(detached.pid);
      removePidFile(id);
    },
    kill: async () => {
      await killGroup(detached.pid);
      removePidFile(id);
    },
  };

  try {
    await waitUntil(`OpenSearch ${name} at ${url}`, () => isOpenSearchHealthy(url), {
      timeoutMs: options.timeoutMs ?? 120_000,
      intervalMs: 1_000,
      failFast: () =>
        detached.exit
          ? `exited (code ${detached.exit.code}, signal ${detached.exit.signal}) before it was ready`
          : undefined,
    });
  } catch (error) {
    await node.kill().catch(() => {});
    const serverLog = path.join(dirs.logs, `logferry-${name}.log`);
    const message = error instanceof NotReadyError ? error.message : String(error);
    throw new Error(
      `${message}\n--- ${detached.logFile} (tail)\n${tailFile(detached.logFile, 30)}` +
        `\n--- ${serverLog} (tail)\n${tailFile(serverLog, 20)}`,
      { cause: error },
    );
  }
  return node;
}
