// Checks what `serverless package` left in .serverless/: one small zip per function holding its bundle, source map
// and the validated logferry.json, and a CloudFormation template with the resources and grants serverless.yml promises.
//
//   npx serverless package && npx tsx scripts/package-check.ts [--dir .serverless] [--max-bytes 1000000]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** The budget: "one small zip per function", under 1 MB each. */
export const MAX_ZIP_BYTES = 1_000_000;

const BUNDLE_EXTENSIONS = ['.cjs', '.mjs', '.js'];
const REQUIRED_ACTIONS = ['s3:PutObject', 'es:ESHttpPost', 'ssm:GetParameter', 'sqs:SendMessage'];
const REQUIRED_ENV = [
  'OPENSEARCH_URL',
  'ARCHIVE_BUCKET',
  'SLACK_WEBHOOK_PARAM',
  'LOGFERRY_STAGE',
  'NODE_OPTIONS',
];
const REQUIRED_OUTPUTS = ['ArchiveBucketName', 'FailureQueueUrl'];

export interface ZipEntry {
  name: string;
  size: number;
}

export interface ZipReport {
  file: string;
  bytes: number;
  entries: ZipEntry[];
}

export interface PackageReport {
  zips: ZipReport[];
  problems: string[];
}

interface FunctionState {
  handler: string;
  package?: { artifact?: string };
  events?: Array<Record<string, unknown>>;
}

type Resource = { Type?: string; Properties?: Record<string, unknown> };
type Template = { Resources?: Record<string, Resource>; Outputs?: Record<string, unknown> };
type Statement = { Effect?: string; Action?: string | string[]; Resource?: unknown };

/**
 * Lists the files in a zip archive from its central directory (no extraction, no dependency).
 *
 * @example
 * listZip(readFileSync('.serverless/ingestCloudwatch.zip')).map((e) => e.name);
 */
export function listZip(buffer: Buffer): ZipEntry[] {
  // The end-of-central-directory record sits in the last 22 bytes plus an optional comment of up to 64 KiB.
  let eocd = -1;
  for (let i = buffer.length - 22; i >= Math.max(0, buffer.length - 22 - 0xffff); i--) {
    if (buffer.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip archive (no end of central directory record)');
  const count = buffer.readUInt16LE(eocd + 10);
  let offset = buffer.readUInt32LE(eocd + 16);
  if (count === 0xffff || offset === 0xffffffff)
    throw new Error('zip64 archives are not supported');
  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (buffer.readUInt32LE(offset) !== 0x02014b50)
      throw new Error(`corrupt central directory at byte ${offset}`);
    const size = buffer.readUInt32LE(offset + 24);
    const nameLength = buffer.readUInt16LE(offset + 28);
    const extraLength = buffer.readUInt16LE(offset + 30);
    const commentLength = buffer.readUInt16LE(offset + 32);
    const name = buffer.toString('utf8', offset + 46, offset + 46 + nameLength);
    entries.push({ name, size });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Logical-id prefix osls derives from a function key (`ingest-cw_x` → `IngestDashcwUnderscorex`). */
export function normalizedFunctionName(key: string): string {
  const upper = key.charAt(0).toUpperCase() + key.slice(1);
  return upper.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
}

function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

function checkZip(
  dir: string,
  fnKey: string,
  fn: FunctionState,
  maxBytes: number,
  problems: string[],
): ZipReport | null {
  const artifact = path.join(dir, path.basename(fn.package?.artifact ?? `${fnKey}.zip`));
  let bytes: number;
  try {
    bytes = statSync(artifact).size;
  } catch {
    problems.push(`${fnKey}: artifact ${artifact} is missing`);
    return null;
  }
  const entries = listZip(readFileSync(artifact));
  const names = new Set(entries.map((e) => e.name));
  const report = { file: artifact, bytes, entries };
  if (bytes > maxBytes)
    problems.push(`${fnKey}: ${path.basename(artifact)} is ${bytes} bytes, over ${maxBytes}`);

  const handlerFile = fn.handler.slice(0, fn.handler.lastIndexOf('.'));
  const bundle = BUNDLE_EXTENSIONS.map((ext) => handlerFile + ext).find((name) => names.has(name));
  if (!bundle)
    problems.push(`${fnKey}: no bundle ${handlerFile}{${BUNDLE_EXTENSIONS.join(',')}} in the zip`);
  else if (!names.has(`${bundle}.map`))
    problems.push(`${fnKey}: no source map ${bundle}.map in the zip`);
  if (!names.has('logferry.json'))
    problems.push(`${fnKey}: logferry.json (the validated logferry.yml) is not at the zip root`);
  if ([...names].some((name) => name.startsWith('node_modules/'))) {
    problems.push(`${fnKey}: the zip carries node_modules/ (everything should be bundled)`);
  }
  return report;
}

function checkFunctionResources(
  fnKey: string,
  fn: FunctionState,
  template: Template,
  problems: string[],
): void {
  const resources = template.Resources ?? {};
  const prefix = normalizedFunctionName(fnKey);
  const lambda = resources[`${prefix}LambdaFunction`];
  if (lambda?.Type !== 'AWS::Lambda::Function') {
    problems.push(`${fnKey}: template has no ${prefix}LambdaFunction`);
    return;
  }
  const variables = ((
    lambda.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined
  )?.Variables ?? {}) as Record<string, unknown>;
  for (const name of REQUIRED_ENV) {
    if (!(name in variables)) problems.push(`${fnKey}: environment variable ${name} is missing`);
  }

  const eventConfig = resources[`${prefix}LambdaEvConf`]?.Properties;
  const onFailure = (
    eventConfig?.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined
  )?.OnFailure;
  if (!onFailure?.Destination)
    problems.push(`${fnKey}: no on-failure destination (${prefix}LambdaEvConf)`);
  if (eventConfig?.MaximumRetryAttempts === undefined)
    problems.push(`${fnKey}: MaximumRetryAttempts is not set`);

  const wanted = (fn.events ?? []).filter((event) => 'cloudwatchLog' in event).length;
  const filters = Object.entries(resources).filter(
    ([id, r]) =>
      r.Type === 'AWS::Logs::SubscriptionFilter' &&
      id.startsWith(`${prefix}LogsSubscriptionFilter`),
  ).length;
  if (filters !== wanted)
    problems.push(`${fnKey}: ${wanted} cloudwatchLog events but ${filters} subscription filters`);
}

function checkSharedResources(template: Template, problems: string[]): void {
  const resources = template.Resources ?? {};
  const expectType = (id: string, type: string): Resource | undefined => {
    const resource = resources[id];
    if (resource?.Type !== type) problems.push(`template has no ${type} ${id}`);
    return resource;
  };

  const bucket = expectType('LogferryArchiveBucket', 'AWS::S3::Bucket')?.Properties ?? {};
  if (!bucket.BucketEncryption) problems.push('LogferryArchiveBucket has no BucketEncryption');
  const block = (bucket.PublicAccessBlockConfiguration ?? {}) as Record<string, unknown>;
  for (const flag of [
    'BlockPublicAcls',
    'BlockPublicPolicy',
    'IgnorePublicAcls',
    'RestrictPublicBuckets',
  ]) {
    if (block[flag] !== true)
      problems.push(`LogferryArchiveBucket: PublicAccessBlockConfiguration.${flag} is not true`);
  }
  const rules = ((
    bucket.LifecycleConfiguration as { Rules?: Array<Record<string, unknown>> } | undefined
  )?.Rules ?? []) as Array<Record<string, unknown>>;
  const archiveRule = rules.find((rule) => rule.Prefix === 'archive/');
  if (!archiveRule || asArray(archiveRule.Transitions as unknown[] | undefined).length === 0) {
    problems.push('LogferryArchiveBucket: no lifecycle transitions for archive/');
  }
  expectType('LogferryArchiveBucketPolicy', 'AWS::S3::BucketPolicy');
  expectType('LogferryFailureQueue', 'AWS::SQS::Queue');

  const role = expectType('IamRoleLambdaExecution', 'AWS::IAM::Role');
  const policies = (role?.Properties?.Policies ?? []) as Array<{
    PolicyDocument?: { Statement?: Statement[] };
  }>;
  const statements = policies.flatMap((policy) => policy.PolicyDocument?.Statement ?? []);
  const actions = new Set(statements.flatMap((statement) => asArray(statement.Action)));
  for (const action of REQUIRED_ACTIONS) {
    if (!actions.has(action)) problems.push(`execution role does not grant ${action}`);
  }
  for (const statement of statements) {
    const wildcardAction = asArray(statement.Action).some(
      (action) => action === '*' || action.endsWith(':*'),
    );
    const wildcardResource = asArray(statement.Resource as unknown).some(
      (resource) => resource === '*',
    );
    if (statement.Effect === 'Allow' && (wildcardAction || wildcardResource)) {
      problems.push(`execution role has a wildcard grant: ${JSON.stringify(statement)}`);
    }
  }

  for (const output of REQUIRED_OUTPUTS) {
    if (!template.Outputs?.[output]) problems.push(`template has no output ${output}`);
  }
}

/**
 * Checks a `serverless package` output folder; never throws for a bad package, it reports problems instead.
 *
 * @example
 * const { zips, problems } = checkPackage('.serverless');
 */
export function checkPackage(dir: string, maxBytes = MAX_ZIP_BYTES): PackageReport {
  const problems: string[] = [];
  const statePath = path.join(dir, 'serverless-state.json');
  const templatePath = path.join(dir, 'cloudformation-template-update-stack.json');
  let state: { service?: { functions?: Record<string, FunctionState> } };
  let template: Template;
  try {
    state = readJson(statePath);
    template = readJson(templatePath);
  } catch (err) {
    return { zips: [], problems: [`cannot read the package in ${dir}: ${(err as Error).message}`] };
  }

  const functions = Object.entries(state.service?.functions ?? {});
  if (functions.length === 0) problems.push('serverless-state.json lists no functions');
  const zips: ZipReport[] = [];
  for (const [key, fn] of functions) {
    const zip = checkZip(dir, key, fn, maxBytes, problems);
    if (zip) zips.push(zip);
    checkFunctionResources(key, fn, template, problems);
  }
  // A zip nobody claims is a leftover from an older package run: list it, and hold it to the same budget.
  const claimed = new Set(zips.map((zip) => path.basename(zip.file)));
  for (const name of readdirSync(dir).filter(
    (file) => file.endsWith('.zip') && !claimed.has(file),
  )) {
    const file = path.join(dir, name);
    const bytes = statSync(file).size;
    zips.push({ file, bytes, entries: listZip(readFileSync(file)) });
    if (bytes > maxBytes) problems.push(`${name} is ${bytes} bytes, over ${maxBytes}`);
  }
  checkSharedResources(template, problems);
  return { zips, problems };
}

function parseArgs(argv: string[]): { dir: string; maxBytes: number } {
  let dir = '.serverless';
  let maxBytes = MAX_ZIP_BYTES;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === '--dir' && value) {
      dir = value;
      i++;
    } else if (arg === '--max-bytes' && value && /^\d+$/.test(value)) {
      maxBytes = Number(value);
      i++;
    } else {
      throw new Error(
        `unknown or incomplete argument ${JSON.stringify(arg)}; usage: [--dir DIR] [--max-bytes N]`,
      );
    }
  }
  return { dir, maxBytes };
}

function main(): number {
  const { dir, maxBytes } = parseArgs(process.argv.slice(2));
  const { zips, problems } = checkPackage(dir, maxBytes);
  for (const zip of zips) {
    const files = zip.entries.map((entry) => `${entry.name} (${entry.size})`).join(', ');
    console.log(`${path.basename(zip.file)}\t${zip.bytes} bytes\t${files}`);
  }
  for (const problem of problems) console.error(`problem: ${problem}`);
  console.log(
    problems.length === 0
      ? `package ok: ${zips.length} zip(s) within ${maxBytes} bytes`
      : 'package check failed',
  );
  return problems.length === 0 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  try {
    process.exitCode = main();
  } catch (err) {
    console.error(`package-check: ${(err as Error).message}`);
    process.exitCode = 2;
  }
}
