// Opens what logferry.yml's `enrich:` needs (GeoIP databases, through the client) and hands it to the enrichment stage: once per cold start.
import { resolve } from 'node:path';
import { openGeoIpDatabase } from '#shared/clients/geoip-database.ts';
import type { Config } from '#shared/config/schema.ts';
import { createEnricher, type Enricher } from './enrich.ts';

/**
 * The enrichment stage of `config`, its GeoIP databases read into memory now: a missing or unreadable
 * database is a ConfigError here, at cold start, before any event. Relative paths are taken from
 * `root`: the working directory, which is the repository for runs from source and the bundle's root
 * (`/var/task`, where `package.patterns` puts files) in Lambda.
 *
 * @example
 * const enrich = createEnrichment(config); // undefined unless `enrich:` enables something
 */
export function createEnrichment(config: Config, root = process.cwd()): Enricher | undefined {
  const { geoip } = config.enrich;
  const open = (file: string, path: string) => openGeoIpDatabase(resolve(root, file), path);
  return createEnricher(config.enrich, {
    geo: geoip ? open(geoip.database, 'enrich.geoip.database') : undefined,
    asn: geoip?.asn_database ? open(geoip.asn_database, 'enrich.geoip.asn_database') : undefined,
  });
}
