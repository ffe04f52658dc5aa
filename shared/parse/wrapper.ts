// Unwraps log shippers' envelopes (FireLens / Fluent Bit, Docker json-file, Kubernetes, CRI) into the inner line and ECS metadata.
import { parseBoundedJson } from '#shared/bounded-json.ts';
import type { Fields } from '#shared/model.ts';
import { child, setOwn } from './merge.ts';
import { parseIsoTime, parseTimeValue } from './time.ts';

/** An envelope taken off a line: the inner line to parse, and metadata already shaped as ECS fields. */
export interface Unwrapped {
  /** The application's own line (the envelope's `log`), without its trailing newline. */
  line: string;
  /** `container.*`, `aws.ecs.*`, `kubernetes.*`, and `app` for envelope keys with no ECS home. */
  wrapper: Fields;
  /** The envelope's own time (Docker `time`, Fluent Bit `date`), epoch ms, when it has one. */
  time?: number;
  kind: 'firelens' | 'docker' | 'kubernetes' | 'cri';
  /** `stdout` / `stderr`, when the envelope says. */
  stream?: string;
}

type Obj = Record<string, unknown>;

const FIRELENS_KEYS = [
  'container_id',
  'container_name',
  'ecs_cluster',
  'ecs_task_arn',
  'ecs_task_definition',
];
const HANDLED = new Set([
  'log',
  'stream',
  'source',
  'time',
  'date',
  'kubernetes',
  ...FIRELENS_KEYS,
]);
// CRI (containerd, CRI-O) file lines: `<RFC3339Nano> <stream> <P|F> <line>`.
const CRI =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})) (stdout|stderr) ([FP]) (.*)$/s;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stripEol(line: string): string {
  if (line.endsWith('\r\n')) return line.slice(0, -2);
  return line.endsWith('\n') ? line.slice(0, -1) : line;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Label keys like `app.kubernetes.io/name` would become nested objects in OpenSearch and clash with `app`. */
function dedot(map: unknown): Obj | undefined {
  if (!isObj(map)) return undefined;
  const out: Obj = {};
  for (const [k, v] of Object.entries(map))
    setOwn(out, k.replace(/\./g, '_'), typeof v === 'string' ? v : JSON.stringify(v));
  return Object.keys(out).length ? out : undefined;
}

function put(target: Fields, path: readonly string[], value: unknown): void {
  if (value === undefined) return;
  let node = target;
  for (const key of path.slice(0, -1)) node = child(node, key);
  node[path[path.length - 1] as string] = value;
}

function kubernetesFields(k: Obj, out: Fields): void {
  put(out, ['kubernetes', 'namespace'], str(k.namespace_name) ?? str(k.namespace));
  put(out, ['kubernetes', 'pod', 'name'], str(k.pod_name));
  put(out, ['kubernetes', 'pod', 'uid'], str(k.pod_id));
  put(out, ['kubernetes', 'pod', 'ip'], str(k.pod_ip));
  put(out, ['kubernetes', 'node', 'name'], str(k.host));
  put(out, ['kubernetes', 'container', 'name'], str(k.container_name));
  put(out, ['kubernetes', 'labels'], dedot(k.labels));
  put(out, ['kubernetes', 'annotations'], dedot(k.annotations));
  put(out, ['container', 'name'], str(k.container_name));
  put(out, ['container', 'id'], str(k.docker_id) ?? str(k.container_id));
  put(out, ['container', 'image', 'name'], str(k.container_image));
  put(
    out,
    ['container', 'image', 'hash', 'all'],
    str(k.container_hash) ? [k.container_hash] : undefined,
  );
}

/**
 * Takes the envelope off a JSON object a log shipper wrote; undefined when it is not one (an
 * application's JSON line is not an envelope just because it has a `log` key: it also needs a
 * shipper's keys). The Kinesis source calls this for records that are JSON objects.
 *
 * @example
 * unwrapObject({ log: 'hello\n', stream: 'stdout', time: '2025-01-15T10:00:00.123456789Z' })
 * // { line: 'hello', kind: 'docker', stream: 'stdout', time: 1736935200123, wrapper: { container: { stream: 'stdout' } } }
 */
export function unwrapObject(obj: Obj): Unwrapped | undefined {
  const log = obj.log;
  if (typeof log !== 'string' && !isObj(log)) return undefined;
  const firelens = FIRELENS_KEYS.some((k) => typeof obj[k] === 'string');
  const k8s = isObj(obj.kubernetes);
  const stream = str(obj.stream) ?? str(obj.source);
  const docker = (stream === 'stdout' || stream === 'stderr') && ('time' in obj || 'stream' in obj);
  if (!firelens && !k8s && !docker) return undefined;

  const wrapper: Fields = {};
  put(wrapper, ['container', 'id'], str(obj.container_id));
  put(wrapper, ['container', 'name'], str(obj.container_name)?.replace(/^\//, ''));
  put(wrapper, ['aws', 'ecs', 'cluster'], str(obj.ecs_cluster));
  put(wrapper, ['aws', 'ecs', 'task_arn'], str(obj.ecs_task_arn));
  put(wrapper, ['aws', 'ecs', 'task_definition'], str(obj.ecs_task_definition));
  if (k8s) kubernetesFields(obj.kubernetes as Obj, wrapper);
  if (stream) put(wrapper, ['container', 'stream'], stream);
  const extra: Obj = {};
  for (const [key, value] of Object.entries(obj)) if (!HANDLED.has(key)) setOwn(extra, key, value);
  if (Object.keys(extra).length) wrapper.app = extra;

  const out: Unwrapped = {
    // Fluent Bit with `Merge_Log` may leave an already-parsed object in `log`.
    line: typeof log === 'string' ? stripEol(log) : JSON.stringify(log),
    wrapper,
    kind: k8s ? 'kubernetes' : firelens ? 'firelens' : 'docker',
  };
  if (stream) out.stream = stream;
  const time = parseTimeValue(obj.time) ?? parseTimeValue(obj.date);
  if (time !== undefined) out.time = time;
  return out;
}

/**
 * Takes the envelope off a line, if it is a shipper's JSON envelope or a CRI log line; pure, and
 * independent of where the line came from.
 *
 * @example
 * unwrap('{"log":"GET / 200\\n","stream":"stdout","time":"2025-01-15T10:00:00Z"}')?.line // 'GET / 200'
 */
export function unwrap(line: string): Unwrapped | undefined {
  const c = line.charCodeAt(0);
  if (c === 0x7b /* { */) {
    if (!line.includes('"log"')) return undefined;
    const parsed = parseBoundedJson(line);
    const value = parsed && 'value' in parsed ? parsed.value : undefined;
    return isObj(value) ? unwrapObject(value) : undefined;
  }
  if (
    c >= 0x30 &&
    c <= 0x39 &&
    line.charCodeAt(4) === 0x2d &&
    (line.includes(' stdout ') || line.includes(' stderr '))
  ) {
    const m = CRI.exec(line);
    if (!m) return undefined;
    const out: Unwrapped = {
      line: m[4]!,
      wrapper: { container: { stream: m[2] } },
      kind: 'cri',
      stream: m[2]!,
    };
    const time = parseIsoTime(m[1]!);
    if (time !== undefined) out.time = time;
    // A `P` (partial) line is a piece of a longer line the runtime split; it is kept as it is.
    return out;
  }
  return undefined;
}
