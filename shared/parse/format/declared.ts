// The formats a configuration declares, compiled once per configuration and looked up by route parser name.
import type { FormatConfig } from '#shared/config/schema.ts';
import { compileFormat, type DeclaredFormat, type FormatFamily } from './compile.ts';

const FAMILIES: readonly FormatFamily[] = ['nginx', 'apache', 'haproxy'];

/**
 * Compiles every declared format by name. The configuration was validated (each format compiled
 * once already), so this does not fail on a configuration that passed validation.
 *
 * @example
 * compileFormats(config.formats).get('edge')?.parse(line, ctx)
 */
export function compileFormats(formats: readonly FormatConfig[]): Map<string, DeclaredFormat> {
  const out = new Map<string, DeclaredFormat>();
  for (const f of formats) {
    const family = FAMILIES.find((k) => f[k] !== undefined);
    if (!family) continue;
    out.set(f.name, compileFormat({ name: f.name, family, format: f[family]!, escape: f.escape }));
  }
  return out;
}
