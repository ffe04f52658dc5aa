// logferry's serverless plugin: validates logferry.yml before anything is packaged, so a bad
// configuration fails the build with file, path and reason instead of failing at cold start.
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
    };
  }

  checkConfig() {
    const root = this.serverless.config.servicePath;
    const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
    try {
      execFileSync(tsx, [path.join(root, 'scripts', 'check-config.ts'), path.join(root, 'logferry.yml')], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        encoding: 'utf8',
      });
    } catch (err) {
      throw new this.serverless.classes.Error(`logferry.yml is invalid:\n${err.stderr || err.message}`);
    }
  }
}

module.exports = LogferryPlugin;
