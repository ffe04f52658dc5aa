// Masks one routed document and its raw line with its route's redactor: one text pass over the line serves every field that holds it.
import type { Routed } from '#shared/model.ts';
import { stripEol } from './document.ts';
import type { Redactor } from './redact.ts';

/**
 * Masks `item.raw` and `item.doc` in place and tags the document `_redacted` when anything was
 * masked (or when `masked` says an earlier step already masked its line). The line is masked once,
 * without its end of line: the message of a text line and the `event.original` of a structured one
 * are that same line, so the document walk takes its masked form instead of scanning it again.
 * Returns whether the document is tagged.
 *
 * @example
 * if (redactRouted(item, redactor)) stats.redacted++;
 */
export function redactRouted(item: Routed, redact: Redactor, masked = false): boolean {
  const raw = item.raw;
  const body = stripEol(raw);
  // Every value comes from the raw line: when it held nothing to mask, the walk looks only at what
  // the line's scan cannot have seen (values masked by their key, values decoded from an escape),
  // and is skipped when there is neither (most lines).
  const { text: maskedBody, scope } = redact.line(body);
  // Nothing masked (most lines): the raw line itself, no copy.
  const maskedRaw = maskedBody === body ? raw : maskedBody + raw.slice(body.length);
  const id = item.doc.event.id;
  const changedDoc =
    scope !== undefined &&
    redact.document(
      item.doc,
      [
        [raw, maskedRaw],
        [body, maskedBody],
      ],
      scope,
    );
  item.doc.event.id = id;
  if (!changedDoc && maskedRaw === raw && !masked) return false;
  item.raw = maskedRaw;
  item.doc.tags = [...(item.doc.tags ?? []), '_redacted'];
  return true;
}
