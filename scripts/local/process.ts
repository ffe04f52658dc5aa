// Detached service processes: spawning into their own group, pid files, liveness, stopping, locks.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { LOGS_DIR, RUN_DIR } from './paths.ts';

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

export const pidFilePath = (id: string): string => path.join(RUN_DIR, `${id}.pid`);
export const logFilePath = (id: string): string => path.join(LOGS_DIR, `${id}.log`);

export interface PidFile {
  pid: number;
  /** Where the service answers; kept beside the pid so `status` can show extra instances. */
  url?: string;
}

/** Pid files hold the pid on the first line and the service URL on the second. */
export function readPidFile(id: string): PidFile | undefined {
  let text: string;
  try {
    text = fs.readFileSync(pidFilePath(id), 'utf8');
  } catch {
    return undefined;
  }
  const [pidLine, urlLine] = text.split('\n');
  const pid = Number.parseInt(pidLine ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  return urlLine ? { pid, url: urlLine.trim() } : { pid };
}

export function writePidFile(id: string, file: PidFile): void {
  fs.mkdirSync(RUN_DIR, { recursive: true });
  fs.writeFileSync(pidFilePath(id), `${file.pid}\n${file.url ?? ''}\n`);
}

export function removePidFile(id: string): void {
  fs.rmSync(pidFilePath(id), { force: true });
}

export function listPidFileIds(): string[] {
  try {
    return fs
      .readdirSync(RUN_DIR)
      .filter((f) => f.endsWith('.pid'))
      .map((f) => f.slice(0, -'.pid'.length))
      .sort();
  } catch {
    return [];
  }
}

function cmdline(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return undefined;
  }
}

/**
 * Live (non-zombie) members of a process group, read from /proc. kill(-pgid, 0) is not enough:
 * orphans reparented to a pid 1 that never reaps stay zombies and would look alive forever.
 */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return members;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // The command name sits in parentheses and may itself contain spaces or parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    const pgrp = Number(fields[2]);
    if (pgrp === pgid && state !== 'Z' && state !== 'X') members.push(Number(entry));
  }
  return members;
}

/**
 * Whether the group started under this pid still runs the service: some live member's command
 * line contains the marker, which guards against a recycled pid naming someone else's process.
 */
export function isServiceAlive(pgid: number, marker: string): boolean {
  return groupMembers(pgid).some((pid) => cmdline(pid)?.includes(marker) ?? false);
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function waitGroupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (groupMembers(pgid).length > 0) {
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
  return true;
}

/** SIGTERM the whole group, then SIGKILL whatever is left after the grace period. */
export async function stopGroup(pgid: number, graceMs = 20_000): Promise<'stopped' | 'killed'> {
  signalGroup(pgid, 'SIGTERM');
  if (await waitGroupGone(pgid, graceMs)) return 'stopped';
  await killGroup(pgid);
  return 'killed';
}

export async function killGroup(pgid: number): Promise<void> {
  signalGroup(pgid, 'SIGKILL');
  if (!(await waitGroupGone(pgid, 10_000))) {
    throw new Error(`process group ${pgid} survived SIGKILL: ${groupMembers(pgid).join(', ')}`);
  }
}

export interface DetachedOptions {
  id: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  url?: string;
  uid?: number;
  gid?: number;
  logFile?: string;
}

export interface Detached {
  pid: number;
  logFile: string;
  child: ChildProcess;
  /** Set once the leader exits, so waiters can fail fast instead of timing out. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
}

/**
 * Starts a service in its own session and process group (so one signal reaches all of it), with
 * output appended to its log file, and records the pid. The caller may exit; the service lives on.
 */
export function spawnDetached(options: DetachedOptions): Detached {
  const logFile = options.logFile ?? logFilePath(options.id);
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const fd = fs.openSync(logFile, 'a');
  try {
    fs.writeSync(
      fd,
      `\n=== ${new Date().toISOString()} starting ${options.command} ${options.args.join(' ')}\n`,
    );
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', fd, fd],
      ...(options.uid === undefined ? {} : { uid: options.uid }),
      ...(options.gid === undefined ? {} : { gid: options.gid }),
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not start ${options.command} (see ${logFile})`);
    const detached: Detached = { pid, logFile, child, exit: undefined };
    child.on('error', () => {});
    child.on('exit', (code, signal) => {
      detached.exit = { code, signal };
    });
    child.unref();
    writePidFile(options.id, { pid, ...(options.url ? { url: options.url } : {}) });
    return detached;
  } finally {
    fs.closeSync(fd);
  }
}

export function tailFile(file: string, lines = 40): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no log at ${file})`;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const inProcessLocks = new Map<string, Promise<unknown>>();

/**
 * Mutex on a file created with O_EXCL, so two commands starting the stack at once do not both
 * start OpenSearch; a lock whose holder died is taken over. Calls within one process queue up
 * in memory first, since the file alone cannot tell two callers of the same pid apart.
 */
export function withLock<T>(name: string, fn: () => Promise<T>, timeoutMs = 600_000): Promise<T> {
  const previous = inProcessLocks.get(name) ?? Promise.resolve();
  const run = previous.catch(() => {}).then(() => withFileLock(name, fn, timeoutMs));
  inProcessLocks.set(name, run);
  return run;
}

function lockMtime(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

async function withFileLock<T>(name: string, fn: () => Promise<T>, timeoutMs: number): Promise<T> {
  fs.mkdirSync(RUN_DIR, { recursive: true });
  const lockFile = path.join(RUN_DIR, `${name}.lock`);
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder = Number.NaN;
    try {
      holder = Number.parseInt(fs.readFileSync(lockFile, 'utf8'), 10);
    } catch {
      continue;
    }
    if (!Number.isInteger(holder)) {
      // Created but not yet written by its holder, unless it has been empty for a while.
      if (Date.now() - lockMtime(lockFile) < 5_000) {
        await sleep(50);
        continue;
      }
      fs.rmSync(lockFile, { force: true });
      continue;
    }
    if (!pidAlive(holder)) {
      fs.rmSync(lockFile, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out waiting for ${lockFile} (held by pid ${holder})`);
    }
    if (!announced) {
      process.stderr.write(`waiting for the ${name} lock held by pid ${holder}\n`);
      announced = true;
    }
    await sleep(250);
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}

/**
 * Runs a command to completion with its output appended to a log file. Asynchronous so a long
 * install (pip) does not freeze the event loop while another service starts alongside it.
 */
export function runLogged(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string },
): Promise<number> {
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  const fd = fs.openSync(options.logFile, 'a');
  fs.writeSync(fd, `\n=== ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
  return new Promise<number>((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', fd, fd],
    });
    child.on('error', (error) => {
      fs.appendFileSync(options.logFile, `${error.message}\n`);
      resolve(127);
    });
    child.on('close', (code) => resolve(code ?? 1));
  }).finally(() => fs.closeSync(fd));
}
