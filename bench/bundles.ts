// Builds each function's Lambda bundle exactly as serverless.yml's esbuild settings do, for cold-start and memory runs.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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
]);

interface ServerlessFile {
  custom?: { esbuild?: Record<string, unknown> };
  functions?: Record<string, { handler?: string }>;
}

function readServerless(root: string): ServerlessFile {
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

/** Builds every handler's bundle into `outDir`; a handler that does not build is reported, not thrown. */
export async function buildBundles(root: string, outDir: string): Promise<Bundle[]> {
  const { options, extension } = serverlessBuildOptions(root);
  const out: Bundle[] = [];
  for (const h of listHandlers(root)) {
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
      out.push({
        ...h,
        file,
        bytes: statSync(file).size,
        gzipBytes: gzipSync(readFileSync(file)).length,
        mapBytes: existsSync(map) ? statSync(map).size : undefined,
      });
    } catch (err) {
      out.push({ ...h, error: (err as Error).message.split('\n').slice(0, 3).join(' ') });
    }
  }
  return out;
}
