// Field types shared by the sections of logferry.yml.
import * as z from 'zod';

/** A JavaScript regular expression source, compiled once here so a bad one fails validation, not a batch. */
export const regex = z.string().superRefine((source, ctx) => {
  try {
    new RegExp(source);
  } catch (err) {
    ctx.addIssue({
      code: 'custom',
      message: `not a valid regular expression: ${(err as Error).message}`,
    });
  }
});
