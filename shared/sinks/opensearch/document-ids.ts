// Whether documents can carry their event id as `_id`: everywhere but OpenSearch Serverless time-series collections.
import { sigv4Service } from '#shared/clients/opensearch.ts';

export interface DocumentIdPolicy {
  useIds: boolean;
  /** Said once at start-up when ids are off: without them a redelivery or a backfill can duplicate. */
  warning?: string;
}

/**
 * @example
 * documentIdPolicy('https://abc.us-east-1.aoss.amazonaws.com', 'timeseries') // { useIds: false, warning: '…' }
 */
export function documentIdPolicy(
  url: string,
  collectionType: 'timeseries' | 'search',
): DocumentIdPolicy {
  if (sigv4Service(url) !== 'aoss' || collectionType === 'search') return { useIds: true };
  return {
    useIds: false,
    warning:
      'OpenSearch Serverless time-series collections refuse custom document ids: writing without _id, ' +
      'so a redelivered batch or a repeated backfill can index duplicates (set opensearch.serverless_collection_type: search for a search collection)',
  };
}
