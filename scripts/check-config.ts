// `npm run config:check [-- FILE]`: validates logferry.yml the way a cold start does, with file, path and reason.
import { loadConfig } from '#shared/config/load.ts';

const file = process.argv[2] ?? 'logferry.yml';
try {
  const config = loadConfig(file);
  console.log(`${file}: ok (${config.routes.length} route(s), index prefix '${config.index.prefix}')`);
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
}
