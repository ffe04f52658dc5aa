// logferry's serverless plugin. Before anything is packaged: validates logferry.yml, so a bad
// configuration fails the build with file, path and reason, and writes it validated as logferry.json,
// which the bundles read (and check again) at cold start without the YAML parser. Before a deploy:
// refuses a stage without an OpenSearch endpoint. After a deploy: runs `npm run bootstrap` (index
// templates, ISM retention) and, when the stage names S3 source buckets, `npm run s3:notify` (their
// ObjectCreated notifications to the stack's queue: the buckets are not the stack's, so CloudFormation
// cannot).
//
// Bootstrap is a hook rather than a CloudFormation custom resource: no extra Lambda to ship and keep in
// the domain's VPC, a failure cannot roll the stack back, and the same command runs by hand. The cost:
// the deploying machine must reach the domain (custom.bootstrap.enabled: false otherwise, and run
// `npm run bootstrap -- --endpoint …` from inside the VPC).
'use strict';

const { execFileSync } = require('node:child_process');
const path = require('node:path');

class LogferryPlugin {
  constructor(serverless, options) {
    this.serverless = serverless;
    this.options = options ?? {};
    const check = () => this.checkConfig();
    this.hooks = {
      'before:package:initialize': () => {
        this.checkEndpoint(false);
        check();
      },
      // Also runs for `deploy --package DIR`, which skips packaging.
      'before:deploy:deploy': () => this.checkEndpoint(true),
      'before:deploy:function:initialize': check,
      // `invoke local` runs the same bundle, so it needs the same JSON, made from the current YAML.
      'before:invoke:local:invoke': check,
      'after:deploy:deploy': async () => {
        this.bootstrap();
        await this.s3Notify();
      },
    };
  }

  /** The deploying shell's environment for the scripts, with the region and profile osls deploys with. */
  scriptEnv() {
    const { service } = this.serverless;
    const profile = this.options['aws-profile'] ?? this.options.profile;
    return {
      ...process.env,
      AWS_REGION: this.options.region ?? service.provider.region,
      ...(profile ? { AWS_PROFILE: profile } : {}),
    };
  }

  /** Runs one of the project's TypeScript scripts with tsx from the service root; returns its stdout. */
  runScript(script, args, env = process.env) {
    const root = this.serverless.config.servicePath;
    return execFileSync(
      path.join(root, 'node_modules', '.bin', 'tsx'),
      [path.join(root, 'scripts', script), ...args],
      { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' },
    );
  }

  /**
   * Only the `local` stage has a default endpoint (the local stack's): anywhere else, functions without one
   * would fail every batch. Packaging without it is allowed (CI lints every stage's template) with a warning.
   */
  checkEndpoint(deploying) {
    const { service } = this.serverless;
    const stage = this.options.stage ?? service.provider.stage;
    if (service.provider.environment?.OPENSEARCH_URL) return;
    const how = `set params.${stage}.opensearchEndpoint in serverless.yml, or pass --param="opensearchEndpoint=https://…"`;
    if (deploying) {
      throw new this.serverless.classes.Error(
        `stage ${stage} has no OpenSearch endpoint for the functions to index into: ${how}`,
      );
    }
    this.serverless.cli.log(
      `logferry: stage ${stage} has no OpenSearch endpoint yet; a deploy will fail until you ${how}`,
    );
  }

  checkConfig() {
    try {
      // Relative names: the JSON records the file it came from, and the zip takes logferry.json at its root.
      this.runScript('check-config.ts', ['logferry.yml', '--out', 'logferry.json']);
    } catch (err) {
      throw new this.serverless.classes.Error(
        `logferry.yml is invalid:\n${err.stderr || err.message}`,
      );
    }
  }

  bootstrap() {
    const { service } = this.serverless;
    const settings = service.custom?.bootstrap ?? {};
    const log = (line) => this.serverless.cli.log(`logferry bootstrap: ${line}`);
    if (settings.enabled === false || settings.enabled === 'false') {
      log(
        'skipped (bootstrapOnDeploy is false); run `npm run bootstrap -- --endpoint …` where the domain is reachable',
      );
      return;
    }
    const root = this.serverless.config.servicePath;
    const env = { ...this.scriptEnv(), LOGFERRY_CONFIG: path.join(root, 'logferry.yml') };
    try {
      const out = this.runScript('bootstrap.ts', ['--endpoint', String(settings.endpoint)], env);
      for (const line of out.trimEnd().split('\n')) log(line);
    } catch (err) {
      // The stack is deployed; failing the command now would only hide that. Say what to run instead.
      log(`FAILED: ${(err.stderr || err.message).trim()}`);
      log(
        'the functions are deployed; install the templates with `npm run bootstrap -- --endpoint …` before new indices are created',
      );
    }
  }

  /** The deployed stack's outputs, read with the credentials and region osls deployed with. */
  async stackOutputs() {
    const provider = this.serverless.getProvider('aws');
    const {
      CloudFormationClient,
      DescribeStacksCommand,
    } = require('@aws-sdk/client-cloudformation');
    const cfn = new CloudFormationClient(await provider.getAwsSdkV3Config());
    try {
      const { Stacks } = await cfn.send(
        new DescribeStacksCommand({ StackName: provider.naming.getStackName() }),
      );
      return Object.fromEntries(
        (Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]),
      );
    } finally {
      cfn.destroy();
    }
  }

  async s3Notify() {
    const { service } = this.serverless;
    const settings = service.custom?.s3Notify ?? {};
    const buckets = Array.isArray(settings.buckets) ? settings.buckets.map(String) : [];
    const log = (line) => this.serverless.cli.log(`logferry s3:notify: ${line}`);
    if (buckets.length === 0) return;
    if (String(settings.eventBridge) === 'true') {
      log('skipped: s3EventBridge reads the buckets through the EventBridge rule');
      return;
    }
    const stage = this.options.stage ?? service.provider.stage;
    const by = (arn) =>
      `npm run s3:notify -- --queue-arn ${arn} ${buckets.map((b) => `--bucket ${b}`).join(' ')}` +
      (settings.prefix ? ` --prefix ${settings.prefix}` : '');
    if (settings.enabled === false || settings.enabled === 'false') {
      log(
        `skipped (s3NotifyOnDeploy is false); to point the buckets at the queue: ${by('<S3SourceQueueArn>')}`,
      );
      return;
    }
    let queueArn;
    try {
      queueArn = (await this.stackOutputs()).S3SourceQueueArn;
      if (!queueArn) throw new Error('the stack has no output S3SourceQueueArn');
      const out = this.runScript(
        's3-notify.ts',
        [
          '--queue-arn',
          queueArn,
          '--prefix',
          String(settings.prefix ?? ''),
          '--id',
          `${service.service}-${stage}`,
          ...buckets.flatMap((b) => ['--bucket', b]),
        ],
        this.scriptEnv(),
      );
      for (const line of out.trimEnd().split('\n')) log(line);
    } catch (err) {
      // As for bootstrap: the stack is deployed, and a bucket refusing its notification must not hide that.
      for (const line of `${err.stdout ?? ''}${err.stderr || err.message}`.trim().split('\n'))
        log(line);
      log(
        `FAILED; the stack is deployed: fix what is said above, then ${by(queueArn ?? '<S3SourceQueueArn>')}`,
      );
    }
  }
}

module.exports = LogferryPlugin;
