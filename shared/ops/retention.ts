// Retention of log indices: an ISM policy per index prefix that deletes indices N days after creation, where ISM exists.
import type { Client } from '@opensearch-project/opensearch';
import { contentHash, indexPatterns } from './templates.ts';

/** Policy id of one prefix; one per prefix, like the templates, so ISM templates never overlap. */
export function retentionPolicyId(prefix: string): string {
  return `logferry-${prefix}-retention`;
}

/**
 * Hot until `days` old, then deleted. The hash in the description lets a second run see it is current.
 *
 * @example
 * retentionPolicy('logs', 30).policy.states[0].transitions // [{ state_name: 'delete', conditions: { min_index_age: '30d' } }]
 */
export function retentionPolicy(prefix: string, days: number) {
  const policy = {
    default_state: 'hot',
    states: [
      {
        name: 'hot',
        actions: [],
        transitions: [{ state_name: 'delete', conditions: { min_index_age: `${days}d` } }],
      },
      { name: 'delete', actions: [{ delete: {} }], transitions: [] },
    ],
    // Attached by ISM to every new index matching these patterns.
    ism_template: [{ index_patterns: indexPatterns(prefix), priority: 100 }],
  };
  return {
    policy: {
      description: `logferry: delete ${prefix} log indices ${days} days after creation [${contentHash(policy)}]`,
      ...policy,
    },
  };
}

export type IsmAvailability = { available: true } | { available: false; reason: string };

/** ISM answers `GET _plugins/_ism/policies` when its plugin is installed; a bare distribution has no handler. */
export async function ismAvailability(client: Client): Promise<IsmAvailability> {
  const res = await client.transport.request(
    { method: 'GET', path: '/_plugins/_ism/policies', querystring: { size: 1 } },
    { ignore: [400, 401, 403, 404, 405] },
  );
  if (res.statusCode === 200) return { available: true };
  const error = (res.body as { error?: string | { reason?: string } } | undefined)?.error;
  const why = typeof error === 'string' ? error : (error?.reason ?? `HTTP ${res.statusCode}`);
  return { available: false, reason: why };
}

export interface RetentionResult {
  policy: string;
  status: 'created' | 'updated' | 'unchanged';
}

/** Creates or updates one prefix's policy; an unchanged policy is not written again. */
export async function installRetentionPolicy(
  client: Client,
  prefix: string,
  days: number,
): Promise<RetentionResult> {
  const id = retentionPolicyId(prefix);
  const path = `/_plugins/_ism/policies/${encodeURIComponent(id)}`;
  const body = retentionPolicy(prefix, days);
  const existing = await client.transport.request({ method: 'GET', path }, { ignore: [404] });
  const found =
    existing.statusCode === 200
      ? (existing.body as {
          _seq_no: number;
          _primary_term: number;
          policy?: { description?: string };
        })
      : undefined;
  if (found?.policy?.description === body.policy.description)
    return { policy: id, status: 'unchanged' };
  // ISM updates are optimistic: the sequence number proves we change the version we read.
  const querystring = found
    ? { if_seq_no: found._seq_no, if_primary_term: found._primary_term }
    : {};
  await client.transport.request({ method: 'PUT', path, querystring, body });
  return { policy: id, status: found ? 'updated' : 'created' };
}
