// logferry's deploy hook: runs `npm run bootstrap` (index templates, ISM retention) once the stack is deployed.
//
// A hook rather than a CloudFormation custom resource: no extra Lambda to ship and keep in the
// domain's VPC, a failure cannot roll the stack back, and the same command runs by hand. The cost:
// the deploying machine must reach the domain (custom.bootstrap.enabled: false otherwise, and run
// `npm run bootstrap -- --endpoint …` from inside the VPC).
'use strict';

const { execFileSync } = require('node:child_process');
const path = require('node:path');

class LogferryBootstrap {
  constructor(serverless, options) {
    this.serverless = serverless;
    this.options = options ?? {};
    this.hooks = { 'after:deploy:deploy': () => this.bootstrap() };
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
    const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
    const region = this.options.region ?? service.provider.region;
    try {
      const out = execFileSync(
        tsx,
        [path.join(root, 'scripts', 'bootstrap.ts'), '--endpoint', String(settings.endpoint)],
        {
          cwd: root,
          env: {
            ...process.env,
            AWS_REGION: region,
            LOGFERRY_CONFIG: path.join(root, 'logferry.yml'),
          },
          stdio: ['ignore', 'pipe', 'pipe'],
          encoding: 'utf8',
        },
      );
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

module.exports = LogferryBootstrap;
