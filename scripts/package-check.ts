// Checks what `serverless package` left in .serverless/: one small zip per function holding its bundle, source map
// and the validated logferry.json, and a CloudFormation template with the resources, failure handling, per-function
// grants, SQS source wiring and alarms serverless.yml promises.
//
//   npx serverless package && npx tsx scripts/package-check.ts [--dir .serverless] [--max-bytes 1000000]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkAlarms, checkSqsSource, roleStatements } from './package-check-sqs.ts';

/** The budget: "one small zip per function", under 1 MB each. */
export const MAX_ZIP_BYTES = 1_000_000;

const BUNDLE_EXTENSIONS = ['.cjs', '.mjs', '.js'];
const REQUIRED_ENV = ['ARCHIVE_BUCKET', 'SLACK_WEBHOOK_PARAM', 'LOGFERRY_STAGE', 'NODE_OPTIONS'];
const REQUIRED_OUTPUTS = ['ArchiveBucketName', 'FailureQueueUrl', 'LogStreamArn'];
const INGEST_NEEDS = ['s3:PutObject', 'es:ESHttpPost', 'ssm:GetParameter', 'sqs:SendMessage'];
/**
 * What each function's role must grant and must not, by handler. The ingest functions parse untrusted
 * input: they may deliver (and ingestS3 read its source objects), never reconfigure anything.
 */
const GRANTS: Record<string, { needs: string[]; never: string[] }> = {
  'functions/cloudwatch-logs.handler': {
    needs: INGEST_NEEDS,
    never: ['logs:PutSubscriptionFilter', 'iam:PassRole', 's3:GetObject'],
  },
  'functions/kinesis.handler': {
    needs: [...INGEST_NEEDS, 'kinesis:GetRecords'],
    never: ['logs:PutSubscriptionFilter', 'iam:PassRole', 's3:GetObject'],
  },
  'functions/s3.handler': {
    needs: [...INGEST_NEEDS, 's3:GetObject', 'sqs:ReceiveMessage'],
    never: ['logs:PutSubscriptionFilter', 'iam:PassRole'],
  },
  'functions/subscribe.handler': {
    needs: ['logs:PutSubscriptionFilter', 'logs:DescribeSubscriptionFilters', 'sqs:SendMessage'],
    never: ['s3:PutObject', 'es:ESHttpPost', 'kinesis:GetRecords'],
  },
};
/** EC2 scopes none of these to resources: the one place a '*' resource is right. */
const ENI_ACTIONS = new Set([
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
]);

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
  /** What is fine for a package but worth saying (a stage that cannot be deployed yet). */
  notes: string[];
}

export interface FunctionState {
  handler: string;
  /** The deployed name (`logferry-dev-ingestS3`). */
  name?: string;
  package?: { artifact?: string };
  events?: Array<Record<string, unknown>>;
}

type Resource = {
  Type?: string;
  Properties?: Record<string, unknown>;
  Condition?: string;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
};
export type Template = { Resources?: Record<string, Resource>; Outputs?: Record<string, unknown> };
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

/** The logical id of the role a function's `Role` names (`Fn::GetAtt` or `Fn::Sub '${X.Arn}'`). */
function roleIdOf(role: unknown): string | undefined {
  const r = role as { 'Fn::GetAtt'?: [string, string]; 'Fn::Sub'?: unknown } | undefined;
  if (r?.['Fn::GetAtt']) return r['Fn::GetAtt'][0];
  if (typeof r?.['Fn::Sub'] === 'string')
    return /^\$\{([A-Za-z0-9]+)\.Arn\}$/.exec(r['Fn::Sub'])?.[1];
  return undefined;
}

/** The Allow actions a role holds: its inline policies, and the policies that name it in `Roles`. */
function roleActions(template: Template, roleId: string): Set<string> {
  const actions = new Set<string>();
  for (const st of roleStatements(template, roleId))
    if (st.Effect === 'Allow') for (const a of asArray(st.Action)) actions.add(a);
  return actions;
}

function checkFunctionResources(
  fnKey: string,
  fn: FunctionState,
  template: Template,
  problems: string[],
  notes: string[],
): { roleId?: string; queues: string[] } {
  const resources = template.Resources ?? {};
  const prefix = normalizedFunctionName(fnKey);
  const lambdaId = `${prefix}LambdaFunction`;
  const lambda = resources[lambdaId];
  const queues: string[] = [];
  if (lambda?.Type !== 'AWS::Lambda::Function') {
    problems.push(`${fnKey}: template has no ${lambdaId}`);
    return { queues };
  }
  const variables = ((
    lambda.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined
  )?.Variables ?? {}) as Record<string, unknown>;
  for (const name of REQUIRED_ENV) {
    if (!(name in variables)) problems.push(`${fnKey}: environment variable ${name} is missing`);
  }
  const grants = GRANTS[fn.handler];
  const ingest = grants?.needs.includes('es:ESHttpPost') ?? false;
  // A stage may be packaged before its domain exists; deploying it is refused (serverless-plugin.cjs).
  if (ingest && !('OPENSEARCH_URL' in variables))
    notes.push(
      `${fnKey}: no OPENSEARCH_URL (opensearchEndpoint unset): a deploy of this stage is refused`,
    );

  const mappings = Object.entries(resources).filter(
    ([id, r]) =>
      r.Type === 'AWS::Lambda::EventSourceMapping' && id.startsWith(`${prefix}EventSourceMapping`),
  );
  if (mappings.length > 0) {
    // Invoked by a poller: failure handling is the mapping's (Kinesis) or the queue's (SQS).
    for (const [id, m] of mappings) {
      const p = m.Properties ?? {};
      if (
        !asArray(p.FunctionResponseTypes as string[] | undefined).includes(
          'ReportBatchItemFailures',
        )
      )
        problems.push(`${fnKey}: ${id} does not take partial batch responses`);
      const source = (p.EventSourceArn as { 'Fn::GetAtt'?: [string, string] } | undefined)?.[
        'Fn::GetAtt'
      ]?.[0];
      const queue = source ? resources[source] : undefined;
      if (source && queue?.Type === 'AWS::SQS::Queue') {
        // Checked once the role is known (package-check-sqs.ts).
        queues.push(source);
        continue;
      }
      if (
        !(p.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure
          ?.Destination
      )
        problems.push(`${fnKey}: ${id} has no on-failure destination`);
      if (p.MaximumRetryAttempts === undefined)
        problems.push(`${fnKey}: ${id} sets no MaximumRetryAttempts`);
      if (p.BisectBatchOnFunctionError !== true)
        problems.push(`${fnKey}: ${id} does not bisect on error`);
    }
  } else {
    // Invoked asynchronously (CloudWatch Logs, EventBridge): retries, then the on-failure destination.
    const eventConfig = resources[`${prefix}LambdaEvConf`]?.Properties;
    const onFailure = (
      eventConfig?.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined
    )?.OnFailure;
    if (!onFailure?.Destination)
      problems.push(`${fnKey}: no on-failure destination (${prefix}LambdaEvConf)`);
    if (eventConfig?.MaximumRetryAttempts === undefined)
      problems.push(`${fnKey}: MaximumRetryAttempts is not set`);
  }

  const wanted = (fn.events ?? []).filter((event) => 'cloudwatchLog' in event).length;
  const filters = Object.entries(resources).filter(
    ([id, r]) =>
      r.Type === 'AWS::Logs::SubscriptionFilter' &&
      id.startsWith(`${prefix}LogsSubscriptionFilter`),
  ).length;
  if (filters !== wanted)
    problems.push(`${fnKey}: ${wanted} cloudwatchLog events but ${filters} subscription filters`);

  const roleId = roleIdOf(lambda.Properties?.Role);
  const ownRole = roleId && resources[roleId]?.Type === 'AWS::IAM::Role' ? roleId : undefined;
  for (const queueId of queues)
    checkSqsSource(fnKey, lambdaId, queueId, ownRole, template, problems);
  if (!ownRole) {
    problems.push(`${fnKey}: its Role is not a role of this template`);
    return { queues };
  }
  const actions = roleActions(template, ownRole);
  for (const action of grants?.needs ?? [])
    if (!actions.has(action)) problems.push(`${fnKey}: ${ownRole} does not grant ${action}`);
  for (const action of grants?.never ?? [])
    if (actions.has(action))
      problems.push(`${fnKey}: ${ownRole} grants ${action}, which it never uses`);
  return { roleId: ownRole, queues };
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

  const stage = (resources.LogferryArchiveBucket as Resource | undefined)?.DeletionPolicy;
  if (stage !== 'Retain' && stage !== 'Delete')
    problems.push('LogferryArchiveBucket: DeletionPolicy is neither Retain nor Delete');
  const topic = expectType('LogferryAlarmTopic', 'AWS::SNS::Topic')?.Properties ?? {};
  if (!topic.KmsMasterKeyId) problems.push('LogferryAlarmTopic is not encrypted (KmsMasterKeyId)');

  for (const [id, r] of Object.entries(resources)) {
    if (!r.Type?.startsWith('AWS::IAM::')) continue;
    const docs = [
      r.Properties?.PolicyDocument,
      ...((r.Properties?.Policies ?? []) as Array<{ PolicyDocument?: unknown }>).map(
        (p) => p.PolicyDocument,
      ),
    ] as Array<{ Statement?: Statement[] } | undefined>;
    for (const statement of docs.flatMap((d) => d?.Statement ?? [])) {
      const actions = asArray(statement.Action);
      const wildcardAction = actions.some((action) => action === '*' || action.endsWith(':*'));
      const wildcardResource = asArray(statement.Resource as unknown).some(
        (resource) => resource === '*',
      );
      const eniOnly = actions.every((action) => ENI_ACTIONS.has(action));
      if (statement.Effect === 'Allow' && (wildcardAction || (wildcardResource && !eniOnly)))
        problems.push(`${id} has a wildcard grant: ${JSON.stringify(statement)}`);
    }
  }

  for (const output of REQUIRED_OUTPUTS) {
    if (!template.Outputs?.[output]) problems.push(`template has no output ${output}`);
  }
}

/**
 * Checks a packaged template against the functions osls packaged: each function's failure handling
 * (the mapping's for stream functions, the event invoke configuration's for the others), a role of its
 * own holding what it needs and none of what it must not, and the shared resources.
 *
 * @example
 * const { problems } = checkTemplate(state.service.functions, template);
 */
export function checkTemplate(
  functions: Record<string, FunctionState>,
  template: Template,
): { problems: string[]; notes: string[] } {
  const problems: string[] = [];
  const notes: string[] = [];
  const roleOwners = new Map<string, string>();
  const queues: string[] = [];
  for (const [key, fn] of Object.entries(functions)) {
    const checked = checkFunctionResources(key, fn, template, problems, notes);
    queues.push(...checked.queues);
    const roleId = checked.roleId;
    if (!roleId) continue;
    const owner = roleOwners.get(roleId);
    if (owner)
      problems.push(`${key} shares ${roleId} with ${owner}: each function needs its own role`);
    roleOwners.set(roleId, key);
  }
  checkSharedResources(template, problems);
  const alarmed = Object.entries(functions).map(([key, fn]) => ({
    key,
    lambdaId: `${normalizedFunctionName(key)}LambdaFunction`,
    name: fn.name,
  }));
  checkAlarms(alarmed, queues, template, problems);
  // What `npm run s3:notify` (and the deploy's) points the source buckets at.
  if (queues.length > 0 && !template.Outputs?.S3SourceQueueArn)
    problems.push('template has no output S3SourceQueueArn');
  return { problems, notes };
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
    return {
      zips: [],
      problems: [`cannot read the package in ${dir}: ${(err as Error).message}`],
      notes: [],
    };
  }

  const functions = Object.entries(state.service?.functions ?? {});
  if (functions.length === 0) problems.push('serverless-state.json lists no functions');
  const zips: ZipReport[] = [];
  for (const [key, fn] of functions) {
    const zip = checkZip(dir, key, fn, maxBytes, problems);
    if (zip) zips.push(zip);
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
  const checked = checkTemplate(Object.fromEntries(functions), template);
  return { zips, problems: [...problems, ...checked.problems], notes: checked.notes };
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
  const { zips, problems, notes } = checkPackage(dir, maxBytes);
  for (const zip of zips) {
    const files = zip.entries.map((entry) => `${entry.name} (${entry.size})`).join(', ');
    console.log(`${path.basename(zip.file)}\t${zip.bytes} bytes\t${files}`);
  }
  for (const note of notes) console.log(`note: ${note}`);
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
