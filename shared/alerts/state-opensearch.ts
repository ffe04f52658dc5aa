// The alert state in an OpenSearch index: deterministic-id `create` as the claim, threshold counters, history.
import type { Client } from '@opensearch-project/opensearch';
import { AlertStateError, errorMessage } from '#shared/errors.ts';
import {
  ALERT_STATE_MAPPINGS,
  type AlertRecord,
  type AlertStateStore,
  type ClaimResult,
} from './state.ts';

const iso = (ms: number) => new Date(ms).toISOString();

function body(r: AlertRecord, now: number) {
  return {
    '@timestamp': iso(now),
    kind: 'alert',
    status: 'sending',
    rule: r.rule,
    fingerprint: r.fingerprint,
    window_start: iso(r.windowStart),
    window_end: iso(r.windowEnd),
    first_seen: iso(r.first),
    last_seen: iso(r.last),
    count: r.count,
    log_group: r.logGroup,
    log_streams: r.logStreams,
    log_type: r.logType,
    level: r.level,
    error_type: r.errorType,
    message: r.message,
    webhook: r.webhook,
  };
}

/** Tries of the read-merge-write of a threshold counter when another instance wrote in between. */
const COUNT_ATTEMPTS = 5;

function timeout(deadline: number): number {
  return Math.max(200, deadline - Date.now());
}

/**
 * The alert state in an OpenSearch index (`logferry-alerts` by default): `create` with a deterministic
 * id is the claim, so two instances racing on one fingerprint get one 201 and one 409. The index is
 * created on first use with its mapping.
 *
 * @example
 * const state = createOpenSearchAlertState({ client, index: 'logferry-alerts' });
 */
export function createOpenSearchAlertState(opts: {
  client: Client;
  index: string;
  now?: () => number;
}): AlertStateStore {
  const { client, index } = opts;
  const now = opts.now ?? Date.now;
  let ready: Promise<void> | undefined;

  const ensureIndex = (deadline: number): Promise<void> => {
    ready ??= client.indices
      .create(
        {
          index,
          body: {
            // One replica wherever there is a second node to hold it.
            settings: { number_of_shards: 1, auto_expand_replicas: '0-1' },
            mappings: ALERT_STATE_MAPPINGS,
          } as never,
        },
        { requestTimeout: timeout(deadline) },
      )
      .then(
        () => undefined,
        (err: unknown) => {
          const type = (err as { meta?: { body?: { error?: { type?: string } } } }).meta?.body
            ?.error?.type;
          if (type === 'resource_already_exists_exception') return;
          ready = undefined;
          throw new AlertStateError(
            `cannot create alert-state index ${index}: ${errorMessage(err)}`,
            { cause: err },
          );
        },
      );
    return ready;
  };

  return {
    async claim(records, deadline) {
      const results = new Map<string, ClaimResult>();
      if (records.length === 0) return { results };
      try {
        await ensureIndex(deadline);
        const t = now();
        const operations = records.flatMap((r) => [
          { create: { _index: index, _id: r.id } },
          body(r, t),
        ]);
        const { body: res } = await client.bulk(
          { body: operations },
          { requestTimeout: timeout(deadline) },
        );
        let error: string | undefined;
        res.items.forEach((item, i) => {
          const op = item.create;
          const id = records[i]!.id;
          if (op && op.status >= 200 && op.status < 300) results.set(id, 'claimed');
          else if (op?.status === 409) results.set(id, 'exists');
          else {
            results.set(id, 'error');
            error ??= `alert-state create failed (HTTP ${op?.status}): ${op?.error?.type ?? 'unknown'}`;
          }
        });
        return { results, error };
      } catch (err) {
        for (const r of records) results.set(r.id, 'error');
        return { results, error: `alert state unavailable: ${errorMessage(err)}` };
      }
    },

    async settle(sent, dropped, deadline, at) {
      if (sent.length === 0 && dropped.length === 0) return;
      const operations = [
        ...sent.flatMap((id) => [
          { update: { _index: index, _id: id } },
          { doc: { status: 'sent', sent_at: iso(at) } },
        ]),
        ...dropped.map((id) => ({ delete: { _index: index, _id: id } })),
      ];
      try {
        const { body: res } = await client.bulk(
          { body: operations },
          { requestTimeout: timeout(deadline) },
        );
        if (res.errors) {
          const failed = res.items.find((i) => {
            const op = i.update ?? i.delete;
            return op && op.status >= 300 && op.status !== 404;
          });
          if (failed) throw new AlertStateError('alert-state update failed for some alerts');
        }
      } catch (err) {
        if (err instanceof AlertStateError) throw err;
        throw new AlertStateError(`alert-state update failed: ${errorMessage(err)}`, {
          cause: err,
        });
      }
    },

    async count(key, ids, cap, deadline) {
      await ensureIndex(deadline);
      // Read, merge, write back only if nobody wrote in between (seq_no): no script needed, so this
      // works on any OpenSearch, the minimal distribution of the local stack included.
      try {
        for (let attempt = 0; attempt < COUNT_ATTEMPTS; attempt++) {
          const requestTimeout = timeout(deadline);
          const { body: current } = await client.get(
            { index, id: key, _source_includes: ['ids'] },
            { requestTimeout, ignore: [404] },
          );
          const found = current.found === true;
          const stored = (current._source as { ids?: unknown } | undefined)?.ids;
          const merged = new Set<string>(Array.isArray(stored) ? (stored as string[]) : []);
          const before = merged.size;
          for (const id of ids) {
            if (merged.size >= cap) break;
            merged.add(id);
          }
          if (found && merged.size === before) return merged.size;
          const doc = {
            '@timestamp': iso(now()),
            kind: 'threshold',
            ids: [...merged],
            count: merged.size,
          };
          const written = await client
            .index(
              found
                ? {
                    index,
                    id: key,
                    body: doc,
                    if_seq_no: current._seq_no,
                    if_primary_term: current._primary_term,
                  }
                : { index, id: key, body: doc, op_type: 'create' },
              { requestTimeout },
            )
            .then(
              () => true,
              (err: unknown) => {
                if ((err as { meta?: { statusCode?: number } }).meta?.statusCode === 409)
                  return false;
                throw err;
              },
            );
          if (written) return merged.size;
        }
        throw new AlertStateError(`threshold counter ${key} kept changing under us`);
      } catch (err) {
        if (err instanceof AlertStateError) throw err;
        throw new AlertStateError(`threshold count failed: ${errorMessage(err)}`, { cause: err });
      }
    },
  };
}
