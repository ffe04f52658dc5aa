// Local AWS APIs: moto in server mode from a pinned venv under .local/venv, and the archive bucket.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  CreateBucketCommand,
  HeadBucketCommand,
  S3Client,
  type S3ServiceException,
} from '@aws-sdk/client-s3';
import { LOCAL_DIR, LOGS_DIR, REQUIREMENTS_FILE, TMP_DIR, VENV_DIR } from './paths.ts';
import { httpGet, waitUntil } from './probe.ts';
import {
  killGroup,
  logFilePath,
  removePidFile,
  runLogged,
  spawnDetached,
  tailFile,
  withLock,
} from './process.ts';

const MOTO_SERVER = path.join(VENV_DIR, 'bin', 'moto_server');
/** The cfn-lint moto validates templates with, for `npm run lint:template`. */
export const CFN_LINT = path.join(VENV_DIR, 'bin', 'cfn-lint');
/** Found in moto's command line, to recognise our server behind a pid. */
export const MOTO_MARKER = MOTO_SERVER;
const STAMP_FILE = path.join(VENV_DIR, '.logferry-requirements.sha256');

type Log = (line: string) => void;

/** moto answers its own dashboard API; anything else on the port is not moto. */
export async function isMotoHealthy(url: string): Promise<boolean> {
  const answer = await httpGet(`${url}/moto-api/`, 3_000);
  return answer?.status === 200;
}

function installEnv(): NodeJS.ProcessEnv {
  // Temp files would otherwise land in /tmp (pip runs with --no-cache-dir, so not in ~/.cache).
  return {
    ...process.env,
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PIP_NO_INPUT: '1',
    TMPDIR: TMP_DIR,
  };
}

/** Builds .local/venv from requirements.txt, again whenever the file or the Python changes. */
export async function ensureMotoVenv(log: Log = () => {}): Promise<string> {
  return withLock('moto-venv', async () => {
    const python = process.env.PYTHON ?? 'python3';
    const requirements = fs.readFileSync(REQUIREMENTS_FILE, 'utf8');
    const logFile = path.join(LOGS_DIR, 'venv.log');
    for (const dir of [TMP_DIR, LOGS_DIR]) fs.mkdirSync(dir, { recursive: true });
    const probed = spawnSync(python, ['-c', 'import sys; print(sys.executable, sys.version)'], {
      encoding: 'utf8',
    });
    if (probed.status !== 0) {
      throw new Error(`${python} is needed for moto: apt-get install python3 python3-venv`);
    }
    const pythonVersion = probed.stdout.trim();
    const stamp = createHash('sha256').update(requirements).update(pythonVersion).digest('hex');
    const current = fs.existsSync(STAMP_FILE) ? fs.readFileSync(STAMP_FILE, 'utf8').trim() : '';
    if (current === stamp && fs.existsSync(MOTO_SERVER)) return MOTO_SERVER;

    log(`creating ${path.relative(process.cwd(), VENV_DIR)} with moto (first run takes ~30s)`);
    fs.rmSync(VENV_DIR, { recursive: true, force: true });
    const env = installEnv();
    if (
      (await runLogged(python, ['-m', 'venv', VENV_DIR], { cwd: LOCAL_DIR, env, logFile })) !== 0
    ) {
      throw new Error(
        `could not create ${VENV_DIR} (on Debian: apt-get install python3-venv):\n${tailFile(logFile, 15)}`,
      );
    }
    const pip = path.join(VENV_DIR, 'bin', 'pip');
    const installed = await runLogged(pip, ['install', '--no-cache-dir', '-r', REQUIREMENTS_FILE], {
      cwd: LOCAL_DIR,
      env,
      logFile,
    });
    if (installed !== 0 || !fs.existsSync(MOTO_SERVER)) {
      throw new Error(`pip could not install ${REQUIREMENTS_FILE}:\n${tailFile(logFile, 30)}`);
    }
    // Written last, so a half-built venv is rebuilt next time instead of trusted.
    fs.writeFileSync(STAMP_FILE, `${stamp}\n`);
    return MOTO_SERVER;
  });
}

export interface MotoServer {
  url: string;
  pid: number;
  logFile: string;
}

/** Starts moto_server detached on 127.0.0.1 and resolves once it answers. */
export async function startMoto(options: { port: number; log?: Log }): Promise<MotoServer> {
  const log = options.log ?? (() => {});
  const server = await ensureMotoVenv(log);
  const url = `http://127.0.0.1:${options.port}`;
  log(`starting moto on ${url}`);
  const detached = spawnDetached({
    id: 'moto',
    url,
    command: server,
    args: ['-H', '127.0.0.1', '-p', String(options.port)],
    cwd: LOCAL_DIR,
    env: { ...process.env, TMPDIR: TMP_DIR, PYTHONUNBUFFERED: '1' },
    logFile: logFilePath('moto'),
  });
  try {
    await waitUntil(`moto at ${url}`, () => isMotoHealthy(url), {
      timeoutMs: 60_000,
      intervalMs: 250,
      failFast: () =>
        detached.exit ? `exited (code ${detached.exit.code}) before it answered` : undefined,
    });
  } catch (error) {
    await killGroup(detached.pid).catch(() => {});
    removePidFile('moto');
    throw new Error(
      `${(error as Error).message}\n--- ${detached.logFile} (tail)\n${tailFile(detached.logFile, 30)}`,
      { cause: error },
    );
  }
  return { url, pid: detached.pid, logFile: detached.logFile };
}

export interface BucketTarget {
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** Creates the bucket unless it exists; returns whether it created it. */
export async function ensureBucket(target: BucketTarget): Promise<boolean> {
  const s3 = new S3Client({
    endpoint: target.endpoint,
    region: target.region,
    forcePathStyle: true,
    credentials: { accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey },
    // moto does not speak the SDK's newer default CRC checksums on every call.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  try {
    try {
      await s3.send(new HeadBucketCommand({ Bucket: target.bucket }));
      return false;
    } catch (error) {
      const status = (error as S3ServiceException).$metadata?.httpStatusCode;
      if (status !== 404) throw error;
    }
    try {
      await s3.send(new CreateBucketCommand({ Bucket: target.bucket }));
      return true;
    } catch (error) {
      // Another process may have created it since the HEAD.
      if ((error as Error).name === 'BucketAlreadyOwnedByYou') return false;
      throw error;
    }
  } finally {
    s3.destroy();
  }
}
