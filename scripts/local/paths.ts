// Where the local stack keeps its downloads, state, pid files and logs: all under .local/.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const LOCAL_DIR = path.join(REPO_ROOT, '.local');
export const RUN_DIR = path.join(LOCAL_DIR, 'run');
export const LOGS_DIR = path.join(LOCAL_DIR, 'logs');
/** Scratch space handed to children as TMPDIR, so nothing lands in the system /tmp. */
export const TMP_DIR = path.join(LOCAL_DIR, 'tmp');
export const DOWNLOADS_DIR = path.join(LOCAL_DIR, 'downloads');
export const VENV_DIR = path.join(LOCAL_DIR, 'venv');
export const SLACK_MESSAGES_FILE = path.join(LOCAL_DIR, 'slack-messages.ndjson');
export const REQUIREMENTS_FILE = path.join(REPO_ROOT, 'scripts', 'local', 'requirements.txt');
