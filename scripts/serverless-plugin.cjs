// logferry's serverless plugin. Before anything is packaged: validates logferry.yml, so a bad
// configuration fails the build with file, path and reason, and writes it validated as logferry.json,
// which the bundles read (and check again) at cold start without the YAML parser. Before a deploy:
// refuses a stage without an OpenSearch endpoint. After a deploy: runs `npm run bootstrap` (index
// templates, ISM retention).
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
      'after:deploy:deploy': () => this.bootstrap(),
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
    const env = {
      ...process.env,
      AWS_REGION: this.options.region ?? service.provider.region,
      LOGFERRY_CONFIG: path.join(root, 'logferry.yml'),
    };
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
}

module.exports = LogferryPlugin;
