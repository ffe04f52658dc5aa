// `npm run deploy:local` / `npm run remove:local`: `serverless deploy|remove` of serverless.yml, stage local, into the local stack's moto.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { EXIT, runCli, UsageError } from './cli.ts';
import { awsTarget, LOCAL_STACK_NAME, readDeployment } from './dev/deployed.ts';
import { stopMotoDelivery } from './dev/sqs-poller.ts';
import { ensureBucket } from './local/moto.ts';
import { REPO_ROOT } from './local/paths.ts';

const USAGE = `usage: npm run deploy:local [-- --param name=value ...]
       npm run remove:local

  deploy:local starts what the local stack lacks (OpenSearch, moto, the Slack receiver), runs
  \`serverless deploy --stage local\` of serverless.yml against moto (AWS_ENDPOINT_URL; nothing
  skipped: moto validates the template with cfn-lint as CloudFormation would), installs the index
  templates and points the local S3 source buckets at ingestS3's queue (the deploy's bootstrap and
  s3:notify; the buckets, which AWS services would own, are made first) and prints the stack
  outputs. Then \`npm run dev\` delivers to the deployed functions. remove:local runs \`serverless remove --stage local\`. Both refuse an
  AWS_ENDPOINT_URL that is not on this machine. --param is passed to serverless as --param.`;

const STAGE = 'local';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The S3 source buckets of the local stage (params.local, else params.default, of serverless.yml). */
function localSourceBuckets(serverlessYml: string): string[] {
  // CloudFormation's short tags (!Sub, !If…) are not YAML's; only the params are wanted here.
  const doc = parse(serverlessYml, { logLevel: 'silent' }) as {
    params?: Record<string, { s3SourceBuckets?: unknown }>;
  };
  const buckets = doc.params?.[STAGE]?.s3SourceBuckets ?? doc.params?.default?.s3SourceBuckets;
  return Array.isArray(buckets) ? buckets.map(String) : [];
}

function serverless(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const bin = path.join(REPO_ROOT, 'node_modules', '.bin', 'serverless');
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: REPO_ROOT, env, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

runCli({
  name: 'deploy-local',
  usage: USAGE,
  allowPositionals: true,
  options: { param: { type: 'string', multiple: true } },
  async run(cli) {
    const command = cli.positionals[0];
    if ((command !== 'deploy' && command !== 'remove') || cli.positionals.length > 1)
      throw new UsageError('say deploy or remove (npm run deploy:local / remove:local)');
    const params = (cli.values.param ?? []).map((p) => {
      if (!/^[A-Za-z0-9]+=/.test(p)) throw new UsageError(`--param ${p}: expected name=value`);
      return `--param=${p}`;
    });
    if (command === 'deploy') await cli.localStack();
    else Object.assign(cli.env, (await import('./local/stack.ts')).localEnv(cli.env));
    const endpoint = cli.env.AWS_ENDPOINT_URL ?? '';
    if (!URL.canParse(endpoint) || !LOOPBACK.has(new URL(endpoint).hostname))
      throw new UsageError(
        `AWS_ENDPOINT_URL=${endpoint || '(unset)'} is not on this machine; deploy to AWS with npx serverless deploy`,
      );
    if (command === 'deploy') {
      const target = awsTarget(cli.env);
      for (const bucket of localSourceBuckets(
        readFileSync(path.join(REPO_ROOT, 'serverless.yml'), 'utf8'),
      ))
        if (await ensureBucket({ endpoint, region: target.region, bucket, ...target.credentials }))
          console.log(`created the S3 source bucket ${bucket} in moto`);
    }
    const code = await serverless([command, '--stage', STAGE, ...params], cli.env);
    if (code !== 0 || command === 'remove') return code === 0 ? EXIT.ok : EXIT.failed;
    const { outputs, mappings } = await readDeployment(awsTarget(cli.env), LOCAL_STACK_NAME);
    // `npm run dev` is the SQS mappings' poller; moto's own would burn receive counts (sqs-poller.ts).
    for (const m of mappings)
      if (m.kind === 'sqs') await stopMotoDelivery(awsTarget(cli.env), m.uuid);
    console.log(`\nstack ${LOCAL_STACK_NAME} outputs (moto at ${endpoint}):`);
    for (const [key, value] of Object.entries(outputs)) console.log(`  ${key}: ${value}`);
    console.log(
      '\nnext: npm run dev   (delivers what lands in the stream, the S3 source buckets and subscribed log groups)',
    );
    return EXIT.ok;
  },
});
