// Schema of logferry.yml's `formats:`: log formats declared with the server's own format string.
import * as z from 'zod';
import { FormatError } from '#shared/errors.ts';
import { DATASETS } from '#shared/model.ts';
import { compileFormat, type FormatFamily } from '#shared/parse/format/compile.ts';

const FAMILIES: readonly FormatFamily[] = ['nginx', 'apache', 'haproxy'];

/**
 * A log format declared with the server's own format string; compiled here so a string that cannot
 * compile fails validation (naming its position and variable), not a batch.
 */
export const formatSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][\w.-]*$/, 'a format name is letters, digits, _ . and -')
      .refine((n) => !(DATASETS as readonly string[]).includes(n), {
        message: 'a format name must differ from the built-in parsers',
      }),
    /** nginx `log_format` string (a leading `escape=json|none|default` is read too). */
    nginx: z.string().min(1).optional(),
    /** Apache `LogFormat` string. */
    apache: z.string().min(1).optional(),
    /** HAProxy `log-format` string. */
    haproxy: z.string().min(1).optional(),
    /** nginx's `escape=` of the `log_format`: how values are escaped (default `\xHH`). */
    escape: z.enum(['default', 'json', 'none']).optional(),
  })
  .superRefine((f, ctx) => {
    const families = FAMILIES.filter((k) => f[k] !== undefined);
    if (families.length !== 1) {
      ctx.addIssue({ code: 'custom', message: 'set exactly one of nginx, apache or haproxy' });
      return;
    }
    const family = families[0]!;
    if (f.escape !== undefined && family !== 'nginx')
      ctx.addIssue({ code: 'custom', path: ['escape'], message: 'escape is for nginx formats' });
    try {
      compileFormat({ name: f.name, family, format: f[family]!, escape: f.escape });
    } catch (err) {
      if (!(err instanceof FormatError)) throw err;
      ctx.addIssue({
        code: 'custom',
        path: [family],
        message: `position ${err.position}${err.variable ? `, ${err.variable}` : ''}: ${err.message}`,
      });
    }
  });

export type FormatConfig = z.infer<typeof formatSchema>;
