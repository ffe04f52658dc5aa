// logferry's serverless plugin: validates logferry.yml before anything is packaged, so a bad
// configuration fails the build with file, path and reason instead of failing at cold start, and
// writes the validated configuration as logferry.json, which the bundles read at cold start (they
// carry neither the YAML parser nor zod: see shared/config/runtime-config-bundle.ts).
'use strict';

const { execFileSync } = require('node:child_process');
const path = require('node:path');

class LogferryPlugin {
  constructor(serverless) {
    this.serverless = serverless;
    const check = () => this.checkConfig();
    this.hooks = {
      'before:package:initialize': check,
      'before:deploy:function:initialize': check,
      // `invoke local` runs the same bundle, so it needs the same JSON, made from the current YAML.
      'before:invoke:local:invoke': check,
    };
  }

  checkConfig() {
    const root = this.serverless.config.servicePath;
    const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
    try {
      // Relative names: the JSON records the file it came from, and the zip takes logferry.json at its root.
      execFileSync(
        tsx,
        [path.join(root, 'scripts', 'check-config.ts'), 'logferry.yml', '--out', 'logferry.json'],
        {
          cwd: root,
          stdio: ['ignore', 'pipe', 'pipe'],
          encoding: 'utf8',
        },
      );
    } catch (err) {
      throw new this.serverless.classes.Error(
        `logferry.yml is invalid:\n${err.stderr || err.message}`,
      );
    }
  }
}

module.exports = LogferryPlugin;
