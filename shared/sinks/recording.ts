// In-process sinks that record what would be written, for `replay --dry-run` and the benchmark's null sinks.
import type { Routed } from '#shared/model.ts';
import { archiveRow } from './archive-keys.ts';
import { deadLetterKey } from './s3.ts';
import type { ArchiveObject, DeadLetterEntry, Sinks } from './types.ts';

export interface RecordingSinks extends Sinks {
  /** Every document handed to the index, in order, with its target index. */
  indexed: Routed[];
  archived: { key: string; rows: string[] }[];
  deadLetters: { key: string; entries: DeadLetterEntry[] }[];
}

export function createRecordingSinks(): RecordingSinks {
  const indexed: Routed[] = [];
  const archived: RecordingSinks['archived'] = [];
  const deadLetters: RecordingSinks['deadLetters'] = [];
  return {
    indexed,
    archived,
    deadLetters,
    index: {
      index: async (items) => {
        for (const item of items) indexed.push(item);
        return items.map(() => ({ status: 'indexed' as const }));
      },
    },
    archive: {
      archive: async (objects: readonly ArchiveObject[]) => {
        for (const o of objects) archived.push({ key: o.key, rows: o.items.map(archiveRow) });
        return { written: objects.map((o) => o.key), failed: [] };
      },
    },
    deadLetter: {
      write: async (entries, now) => {
        if (entries.length === 0) return [];
        const key = deadLetterKey(entries, now);
        deadLetters.push({ key, entries: [...entries] });
        return [key];
      },
    },
  };
}
