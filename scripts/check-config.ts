// `npm run config:check [-- FILE] [--out logferry.json]`: validates logferry.yml the way a cold start from source
// does, with file, path and reason; --out writes the validated JSON the Lambda bundles read at cold start.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseConfigText } from '#shared/config/load.ts';
import { validatedConfigText } from '#shared/config/validated.ts';

const { values, positionals } = parseArgs({
  options: { out: { type: 'string' } },
  allowPositionals: true,
});
const file = positionals[0] ?? 'logferry.yml';
try {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${file}: cannot read configuration: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const config = parseConfigText(text, file);
  if (values.out) writeFileSync(values.out, validatedConfigText(config, { file, text }));
  console.log(
    `${file}: ok (${config.routes.length} route(s), index prefix '${config.index.prefix}')` +
      (values.out ? `; validated JSON written to ${values.out}` : ''),
  );
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
}
