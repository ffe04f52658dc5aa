// Deterministic S3 keys for archive and dead-letter objects, so a retried batch overwrites instead of duplicating.
import { createHash } from 'node:crypto';
import { boundedStringify } from '#shared/bounded-json.ts';
import type { Routed } from '#shared/model.ts';
import { documentJson } from './document-json.ts';
import type { ArchiveObject } from './types.ts';

/** Slugs computed so far: planArchive asks once per document, for a few distinct groups. */
const slugs = new Map<string, string>();

/** `/aws/lambda/my-fn` → `aws-lambda-my-fn`: safe in a key, readable in the console. */
export function groupSlug(group: string): string {
  let slug = slugs.get(group);
  if (slug === undefined) {
    slug =
      group
        .toLowerCase()
        .replace(/[^a-z0-9._-]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 200) || 'unknown';
    // A batch holds a handful of groups; the bound only stops a long-lived process from growing it.
    if (slugs.size >= 1000) slugs.clear();
    slugs.set(group, slug);
  }
  return slug;
}

/** `dt=YYYY-MM-DD/hour=HH` of an ISO time. */
export function hourPartition(iso: string): string {
  return `dt=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}`;
}

export function contentKey(parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const p of parts) hash.update(p).update('\n');
  return hash.digest('hex').slice(0, 32);
}

/**
 * Groups documents into archive objects by log type, hour and log group, in input order. The key hashes
 * the document ids it holds, so the same batch always lands on the same keys.
 *
 * @example
 * planArchive(routed)[0].key // 'archive/log_type=access/dt=2024-01-15/hour=10/ecs-web/3f….ndjson.gz'
 */
export function planArchive(items: readonly Routed[]): ArchiveObject[] {
  const groups = new Map<string, Routed[]>();
  // Documents come in runs of one type, hour and group: a run shares its list, no key built per document.
  let run = { type: '', hour: '', group: '', list: [] as Routed[] };
  for (const item of items) {
    const type = item.doc.log.type;
    const time = item.doc['@timestamp'];
    if (
      run.hour.length === 13 &&
      type === run.type &&
      item.group === run.group &&
      time.startsWith(run.hour)
    ) {
      run.list.push(item);
      continue;
    }
    const prefix = `archive/log_type=${type}/${hourPartition(time)}/${groupSlug(item.group)}`;
    let list = groups.get(prefix);
    if (list) list.push(item);
    else {
      list = [item];
      groups.set(prefix, list);
    }
    run = { type, hour: time.slice(0, 13), group: item.group, list };
  }
  return [...groups].map(([prefix, list]) => ({
    key: `${prefix}/${contentKey(list.map((i) => i.doc.event.id))}.ndjson.gz`,
    items: list,
  }));
}

/** The archive row: the full document (never truncated) with its raw line. */
export function archiveRow(item: Routed): string {
  const doc = item.doc;
  if (doc.event.original === undefined && item.raw !== doc.message) {
    return boundedStringify({ ...doc, event: { ...doc.event, original: item.raw } });
  }
  // The row is the document itself: the same text as its bulk line, serialised once for both.
  return documentJson(doc);
}
