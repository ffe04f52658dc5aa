// `npm run config:check [-- FILE] [--out logferry.json]`: validates logferry.yml with file, path and reason; --out
// writes the validated JSON the functions read at cold start (serverless package runs this before bundling).
import { loadConfig, writeValidatedConfig } from '#shared/config/yaml.ts';
import { runCli, UsageError } from './cli.ts';

const USAGE = `usage: npm run config:check [-- FILE] [--out logferry.json]

  Validates FILE (default logferry.yml) against the schema; an error names the file, the path in it
  and the reason. --out writes what passed as the validated JSON the functions read at cold start.`;

runCli({
  name: 'config:check',
  usage: USAGE,
  options: { out: { type: 'string' } },
  allowPositionals: true,
  run({ values, positionals }) {
    if (positionals.length > 1) throw new UsageError('one configuration file at a time');
    const file = positionals[0] ?? 'logferry.yml';
    const config = values.out ? writeValidatedConfig(file, values.out).config : loadConfig(file);
    console.log(
      `${file}: ok (${config.routes.length} route(s), index prefix '${config.index.prefix}')` +
        (values.out ? `; validated JSON written to ${values.out}` : ''),
    );
    return 0;
  },
});
