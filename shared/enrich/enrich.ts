// The enrichment stage: fields derived from what a parser found (user agents, GeoIP and ASN of client addresses), each off until logferry.yml asks for it.
import type { EnrichConfig } from '#shared/config/schema.ts';
import type { Fields, LogDocument } from '#shared/model.ts';
import { createGeoIpLookup, type GeoIpReader } from './geoip.ts';
import { createUserAgentParser } from './user-agent.ts';

/** Adds the enabled fields to a document in place; the databases it reads were opened before. */
export type Enricher = (doc: LogDocument) => void;

/** The addresses that get a place: the peer, and the real client behind proxies when a line names one. */
const ADDRESS_FIELDS = ['source', 'client'] as const;

/**
 * The enrichment `config` asks for, with the GeoIP readers (opened once at cold start) handed in;
 * undefined when nothing is enabled, so the pipeline skips the stage.
 *
 * @example
 * const enrich = createEnricher({ user_agent: true }, {});
 * enrich?.(doc); // doc.user_agent.name === 'Chrome'
 */
export function createEnricher(
  config: EnrichConfig,
  readers: { geo?: GeoIpReader; asn?: GeoIpReader },
): Enricher | undefined {
  const agent = config.user_agent ? createUserAgentParser() : undefined;
  const place = readers.geo || readers.asn ? createGeoIpLookup(readers) : undefined;
  if (!agent && !place) return undefined;
  return (doc) => {
    if (agent) {
      const ua = doc.user_agent as Fields | undefined;
      if (typeof ua?.original === 'string') {
        const found = agent(ua.original);
        if (found) Object.assign(ua, found);
      }
    }
    if (place) {
      for (const key of ADDRESS_FIELDS) {
        const holder = doc[key] as Fields | undefined;
        if (typeof holder?.ip !== 'string') continue;
        const found = place(holder.ip);
        if (found) Object.assign(holder, found);
      }
    }
  };
}
