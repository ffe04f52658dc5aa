// `npm run lint:template [-- STAGE...]`: packages every stage of serverless.yml and runs cfn-lint (pinned in the local venv) on each template.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { EXIT, runCli, UsageError } from './cli.ts';
import { CFN_LINT, ensureMotoVenv } from './local/moto.ts';
import { LOCAL_DIR, REPO_ROOT, TMP_DIR } from './local/paths.ts';

const USAGE = `usage: npm run lint:template [-- STAGE...]

  Runs \`serverless package --stage STAGE\` for each stage of serverless.yml's params (all of them by
  default) into .local/lint/STAGE, then cfn-lint on the packaged template: any error or warning fails.
  cfn-lint is the one pinned in scripts/local/requirements.txt (moto's ValidateTemplate runs the same),
  installed into .local/venv on first use.`;

/** The stages serverless.yml has params for (`default` is not one). */
export function stagesOf(serverlessYml: string): string[] {
  // CloudFormation's short tags (!Sub, !If…) are not YAML's; only the params are wanted here.
  const doc = parse(serverlessYml, { logLevel: 'silent' }) as { params?: Record<string, unknown> };
  return Object.keys(doc.params ?? {}).filter((stage) => stage !== 'default');
}

runCli({
  name: 'lint:template',
  usage: USAGE,
  allowPositionals: true,
  options: {},
  async run(cli) {
    const known = stagesOf(readFileSync(path.join(REPO_ROOT, 'serverless.yml'), 'utf8'));
    const stages = cli.positionals.length > 0 ? cli.positionals : known;
    for (const stage of stages)
      if (!known.includes(stage))
        throw new UsageError(`no stage ${stage} in serverless.yml (${known.join(', ')})`);
    await ensureMotoVenv((line) => console.error(`lint:template: ${line}`));
    const env = { ...cli.env, TMPDIR: TMP_DIR };
    let failed = 0;
    for (const stage of stages) {
      const out = path.join(LOCAL_DIR, 'lint', stage);
      const packaged = spawnSync(
        path.join(REPO_ROOT, 'node_modules', '.bin', 'serverless'),
        ['package', '--stage', stage, '--package', out],
        { cwd: REPO_ROOT, env, encoding: 'utf8' },
      );
      if (packaged.status !== 0) {
        console.error(`${stage}: serverless package failed\n${packaged.stdout}${packaged.stderr}`);
        failed++;
        continue;
      }
      const template = path.join(out, 'cloudformation-template-update-stack.json');
      const lint = spawnSync(CFN_LINT, [template], {
        cwd: REPO_ROOT,
        env,
        encoding: 'utf8',
      });
      if (lint.status === 0)
        console.log(`${stage}: cfn-lint clean (${path.relative(REPO_ROOT, template)})`);
      else {
        console.error(`${stage}: cfn-lint found problems\n${lint.stdout}${lint.stderr}`);
        failed++;
      }
    }
    return failed > 0 ? EXIT.failed : EXIT.ok;
  },
});
