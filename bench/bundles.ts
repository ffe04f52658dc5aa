// Builds each function's Lambda bundle exactly as serverless.yml's esbuild settings do, for cold-start and memory runs.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build } from 'esbuild';
import { parseDocument } from 'yaml';
import { validatedConfigText } from '#shared/config/file.ts';
import { parseConfigText } from '#shared/config/yaml.ts';

export interface Bundle {
  /** Handler file name without extension: `cloudwatch-logs`, `kinesis`, … */
  name: string;
  /** The serverless.yml function using it, when one does yet. */
  function?: string;
  entry: string;
  /** The built `.cjs` file, or undefined when the build failed (`error` says why). */
  file?: string;
  bytes?: number;
  /** The bundle deflated, about what it weighs inside the deployment zip. */
  gzipBytes?: number;
  mapBytes?: number;
  error?: string;
}

/** serverless-esbuild's own keys, which it strips before calling esbuild. */
const PLUGIN_KEYS = new Set([
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
  'config',
  'plugins',
]);

export interface ServerlessFile {
  custom?: { esbuild?: Record<string, unknown> };
  functions?: Record<string, { handler?: string; memorySize?: unknown }>;
  params?: { default?: Record<string, unknown> };
  provider?: { environment?: Record<string, unknown>; memorySize?: unknown };
}

/** serverless.yml as data (CloudFormation tags kept as their plain values). */
export function readServerless(root: string): ServerlessFile {
  // CloudFormation tags (!Ref, !Sub, …) are unknown to the YAML library; they only matter to resources.
  const doc = parseDocument(readFileSync(path.join(root, 'serverless.yml'), 'utf8'), {
    customTags: [
      'Ref',
      'Sub',
      'GetAtt',
      'ImportValue',
      'Join',
      'If',
      'Equals',
      'Select',
      'Split',
    ].map((tag) => ({
      tag: `!${tag}`,
      resolve: (value: string) => value,
    })),
  });
  return doc.toJS() as ServerlessFile;
}

/** esbuild options as serverless-esbuild derives them from `custom.esbuild`. */
export function serverlessBuildOptions(root: string): { options: BuildOptions; extension: string } {
  const esbuild = readServerless(root).custom?.esbuild ?? {};
  const extension = (esbuild.outputFileExtension as string | undefined) ?? '.js';
  const exclude = (esbuild.exclude as string[] | undefined) ?? ['aws-sdk'];
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(esbuild))
    if (!PLUGIN_KEYS.has(key)) options[key] = value;
  options.external = [
    ...((esbuild.external as string[] | undefined) ?? []),
    ...(exclude.includes('*') ? [] : exclude),
  ];
  if (extension !== '.js') options.outExtension = { '.js': extension };
  // As serverless-esbuild reads it: a file, relative to the service, exporting the plugin array.
  if (typeof esbuild.plugins === 'string')
    options.plugins = createRequire(import.meta.url)(path.join(root, esbuild.plugins));
  return { options: { bundle: true, platform: 'node', ...options } as BuildOptions, extension };
}

/**
 * Every handler in functions/: the ones serverless.yml declares and the ones it does not yet.
 *
 * @example
 * listHandlers(process.cwd()) // [{ name: 'cloudwatch-logs', function: 'ingestCloudwatch', entry: 'functions/cloudwatch-logs.ts' }, …]
 */
export function listHandlers(root: string): Pick<Bundle, 'name' | 'function' | 'entry'>[] {
  const declared = new Map<string, string>();
  for (const [fn, spec] of Object.entries(readServerless(root).functions ?? {})) {
    const file = spec.handler?.replace(/\.[^.]+$/, '');
    if (file) declared.set(`${file}.ts`, fn);
  }
  return readdirSync(path.join(root, 'functions'))
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f) => {
      const entry = `functions/${f}`;
      return { name: f.replace(/\.ts$/, ''), function: declared.get(entry), entry };
    });
}

/**
 * Validates a logferry.yml and writes it as the JSON the bundles read, as scripts/serverless-plugin.cjs does
 * before packaging (`npm run config:check -- FILE --out TARGET`).
 *
 * @example
 * writeValidatedConfig('logferry.yml', '.local/bench/bundles/logferry.json');
 */
export function writeValidatedConfig(source: string, target: string): void {
  const text = readFileSync(source, 'utf8');
  const file = path.basename(source);
  writeFileSync(target, validatedConfigText(parseConfigText(text, file), { file, text }));
}

/**
 * Builds one entry point into `outDir` with the serverless.yml settings (the entry's folder kept, as in
 * the zip); a build failure is reported in `error`, not thrown.
 *
 * @example
 * const fwd = await buildBundle(root, { name: 'forwarder', entry: 'bench/forwarder.ts' }, '.local/bench/bundles');
 */
export async function buildBundle(
  root: string,
  h: Pick<Bundle, 'name' | 'function' | 'entry'>,
  outDir: string,
): Promise<Bundle> {
  const { options, extension } = serverlessBuildOptions(root);
  const file = path.join(outDir, h.entry.replace(/\.ts$/, extension));
  try {
    await build({
      ...options,
      absWorkingDir: root,
      entryPoints: [h.entry],
      outdir: path.join(outDir, path.dirname(h.entry)),
      logLevel: 'silent',
    });
    const map = `${file}.map`;
    return {
      ...h,
      file,
      bytes: statSync(file).size,
      gzipBytes: gzipSync(readFileSync(file)).length,
      mapBytes: existsSync(map) ? statSync(map).size : undefined,
    };
  } catch (err) {
    return { ...h, error: (err as Error).message.split('\n').slice(0, 3).join(' ') };
  }
}

/** Builds every handler's bundle into `outDir`; a handler that does not build is reported, not thrown. */
export async function buildBundles(root: string, outDir: string): Promise<Bundle[]> {
  const out: Bundle[] = [];
  for (const h of listHandlers(root)) out.push(await buildBundle(root, h, outDir));
  return out;
}

/**
 * Compiles a bench script that runs in a fresh process (bench/child.ts, bench/lambda-host.ts) to plain
 * JavaScript: run as `.ts`, Node's type stripping would add ~16 MB to the very RSS being measured.
 *
 * @example
 * const host = await buildScript(root, 'bench/lambda-host.ts', '.local/bench/scripts');
 */
export async function buildScript(root: string, entry: string, outDir: string): Promise<string> {
  const outfile = path.join(outDir, path.basename(entry).replace(/\.ts$/, '.mjs'));
  await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    logLevel: 'silent',
  });
  return outfile;
}
