// Stack traces (Java, Python, Node, Go) split over several log events: which lines continue a trace, and the error fields a trace gives.
import type { Fields, Level } from '#shared/model.ts';

export type StackLang = 'java' | 'js' | 'python' | 'go';

/** Where a stack trace stands after a line: `closed` once Python's final exception line or Go's exit status is seen. */
export interface StackState {
  lang?: StackLang;
  closed: boolean;
  /** Node's util.inspect after a frame (`at … {` / `[cause]: Error: …` / `}`): open braces. */
  braces?: number;
}

// Lines that only ever continue a trace, whatever opened it.
const GENERIC_FRAME =
  /^(?:\s+at \S|\s*\.\.\. \d+ (?:more|common frames omitted)|\s*Caused by: |\s+Suppressed: |\s+File ".*", line \d+)/;
// Python 3.11 prints an exception group's traceback with `+` and `|` borders.
const PY_HEADER = /^(?:Traceback|\s*\+ Exception Group Traceback) \(most recent call last\):\s*$/;
// The group's own exception, the first `| Name: message` line (frames and code are indented further).
const PY_GROUP_EXCEPTION = /^\s*\| ([A-Za-z_][\w.]*)(?:: (.*))?$/;
const PY_CHAIN =
  /^(?:During handling of the above exception, another exception occurred:|The above exception was the direct cause of the following exception:)\s*$/;
const PY_FINAL = /^([A-Za-z_][\w.]*)(?:: (.*))?$/s;
const GO_HEADER = /^(?:panic: |fatal error: )/;
const GO_FRAME = /^(?:goroutine \d+ \[[^\]]*\]:|\[signal |\t|created by |exit status \d+$|\s*$)/;
// Characters of a Go function name as a trace prints it: `github.com/a/b.(*T).Method`.
const GO_NAME = /[\w./*()[\]-]/;

/**
 * A Go frame's function line, `pkg.(*T).Method(0xc000010000, …)`: a name, `(`, arguments, `)`. Scanned
 * by hand: as a regex (`[\w./*()[\]-]+\(.*\)$`) the name's `(` and the argument list's overlap and
 * backtrack quadratically on a line of `(`.
 */
function isGoFunctionLine(line: string): boolean {
  if (line.charCodeAt(line.length - 1) !== 0x29 /* ) */) return false;
  let firstParen = -1;
  for (let i = 0; i < line.length - 1; i++) {
    const ch = line[i]!;
    if (ch === '(' && i > 0 && firstParen < 0) firstParen = i;
    if (!GO_NAME.test(ch)) break;
  }
  return firstParen > 0;
}

function isGoFrame(line: string): boolean {
  return GO_FRAME.test(line) || isGoFunctionLine(line);
}
const JAVA_HEADER =
  /^(?:Exception in thread "[^"]*" )?((?:[A-Za-z_$][\w$]*\.)+[A-Za-z_$][\w$]*)(?:: (.*))?$/s;
const JS_HEADER = /^(?:Uncaught )?((?:[A-Z][\w$]*)?(?:Error|Exception))(?:: (.*))?$/s;

function isBlank(line: string): boolean {
  return line.trim() === '';
}

/**
 * True when `line` continues the trace in `state` (or any trace, for the generic Java/Node frames
 * that nothing else writes). Cheap for ordinary lines: most are rejected on their first character.
 *
 * @example
 * continuesStack('\tat com.example.Api.handle(Api.java:42)', { closed: false }) // true
 */
export function continuesStack(line: string, state: StackState | undefined): boolean {
  const c = line.charCodeAt(0);
  if (state?.lang === 'python') {
    // A finished traceback goes on only through Python's chaining sentences; a new `Traceback` after
    // one of them belongs to the chain, one right after a finished traceback is another error.
    if (state.closed) return PY_CHAIN.test(line) || isBlank(line);
    return c === 0x20 || c === 0x09 || isBlank(line) || PY_HEADER.test(line) || PY_FINAL.test(line);
  }
  if (state?.lang === 'go' && !state.closed) return isGoFrame(line);
  // Inside those braces every line is indented but the closing `}`: a line at column 0 is a new event.
  if (state?.lang === 'js' && state.braces) return c === 0x20 || c === 0x09 || c === 0x7d;
  // Space, tab, `.`, `C`aused by: the only ways a generic frame can start.
  if (c !== 0x20 && c !== 0x09 && c !== 0x2e && c !== 0x43) return false;
  return GENERIC_FRAME.test(line);
}

/** The trace language a continuation line implies, when it says. */
export function frameLang(line: string): StackLang | undefined {
  if (/^\s+File ".*", line \d+/.test(line)) return 'python';
  if (/^\s+at .*\.java:\d+\)|^\s+at [\w$.]+\((?:Native Method|Unknown Source)\)/.test(line))
    return 'java';
  if (/^\s+at /.test(line)) return 'js';
  return undefined;
}

/**
 * The state after `line` has been added to a trace in `state`.
 *
 * @example
 * advanceStack({ lang: 'python', closed: false }, 'ValueError: bad') // { lang: 'python', closed: true }
 */
export function advanceStack(state: StackState, line: string): StackState {
  if (state.lang === 'python') {
    if (state.closed) return PY_CHAIN.test(line) ? { lang: 'python', closed: false } : state;
    const c = line.charCodeAt(0);
    if (
      c !== 0x20 &&
      c !== 0x09 &&
      !isBlank(line) &&
      !PY_HEADER.test(line) &&
      PY_FINAL.test(line)
    ) {
      return { lang: 'python', closed: true };
    }
    return state;
  }
  if (state.lang === 'go' && /^exit status \d+$/.test(line)) return { lang: 'go', closed: true };
  const lang = state.lang ?? frameLang(line);
  if (lang !== 'js') return state.lang ? state : { ...state, lang };
  // Node prints an error's own properties (`[cause]`, `code`) in braces after its last frame.
  const braces = state.braces ?? 0;
  if (line.endsWith('{')) return { ...state, lang, braces: braces + 1 };
  if (braces > 0 && line.trimStart().startsWith('}')) return { ...state, lang, braces: braces - 1 };
  return state.lang ? state : { ...state, lang };
}

/**
 * When `line` opens a trace, its language. Java and Node headers (`java.lang.X: msg`, `TypeError: msg`)
 * look like ordinary messages, so they count only when `next` (the stream's next line) is a frame.
 *
 * @example
 * stackHeader('Traceback (most recent call last):', undefined) // 'python'
 */
export function stackHeader(line: string, next: string | undefined): StackLang | undefined {
  if (PY_HEADER.test(line)) return 'python';
  if (next === undefined) return undefined;
  // A re-panic (`panic: x [recovered]`) prints the first panic indented on the next line.
  if (GO_HEADER.test(line))
    return /^(?:goroutine \d+ |\[signal |\s*$|\tpanic: )/.test(next) ? 'go' : undefined;
  if (!/^\s+at \S/.test(next)) return undefined;
  if (JS_HEADER.test(line)) return frameLang(next) === 'java' ? 'java' : 'js';
  if (JAVA_HEADER.test(line)) return 'java';
  return undefined;
}

/** Error fields and the message head of a text holding a trace. */
export interface StackSplit {
  /** The text before the trace (the log line's own message), or the trace's first line. */
  message: string;
  error: Fields;
  level: Level;
}

function firstTraceLine(lines: readonly string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (PY_HEADER.test(line) || GO_HEADER.test(line)) return i;
    // The exception's own line (`java.lang.X: msg`, `Error: msg`) sits just above the first frame.
    if (continuesStack(line, undefined) && !/^\s*Caused by: /.test(line)) return Math.max(i - 1, 0);
  }
  return -1;
}

/**
 * Splits a multi-line message into its head and the stack trace below it, with `error.type`,
 * `error.message` and `error.stack_trace`; undefined when the text holds no trace.
 *
 * @example
 * splitStack('Request failed\njava.lang.IllegalStateException: boom\n\tat a.B.c(B.java:1)')
 * // { message: 'Request failed', error: { type: 'java.lang.IllegalStateException', message: 'boom', stack_trace: '…' }, level: 'error' }
 */
export function splitStack(text: string): StackSplit | undefined {
  if (!text.includes('\n')) return undefined;
  const lines = text.split('\n');
  const start = firstTraceLine(lines);
  if (start < 0) return undefined;
  const stack = lines.slice(start);
  const error: Fields = { stack_trace: stack.join('\n') };
  let level: Level = 'error';
  const head = stack[0]!;
  const group = PY_HEADER.test(head) && head.trimStart().startsWith('+');
  if (group) {
    for (const line of stack) {
      const m = PY_GROUP_EXCEPTION.exec(line);
      if (m && !line.includes('|   ')) {
        error.type = m[1];
        if (m[2] !== undefined) error.message = m[2];
        break;
      }
    }
  } else if (PY_HEADER.test(head)) {
    // Python prints the exception last; in a chain the last one is the one that was raised.
    for (let i = stack.length - 1; i > 0; i--) {
      const line = stack[i]!;
      const c = line.charCodeAt(0);
      const m = c !== 0x20 && c !== 0x09 && !PY_CHAIN.test(line) ? PY_FINAL.exec(line) : null;
      if (m) {
        error.type = m[1];
        if (m[2] !== undefined) error.message = m[2];
        break;
      }
    }
  } else if (GO_HEADER.test(head)) {
    const colon = head.indexOf(': ');
    error.type = head.slice(0, colon);
    error.message = head.slice(colon + 2);
    level = 'fatal';
  } else {
    const m = JS_HEADER.exec(head) ?? JAVA_HEADER.exec(head);
    if (m) {
      error.type = m[1];
      if (m[2] !== undefined) error.message = m[2];
    }
  }
  let message = start > 0 ? lines.slice(0, start).join('\n') : head;
  // A bare Python traceback says what went wrong on its last line, not its first.
  if (start === 0 && PY_HEADER.test(head) && error.type) {
    message = error.message === undefined ? String(error.type) : `${error.type}: ${error.message}`;
  }
  return { message, error, level };
}
