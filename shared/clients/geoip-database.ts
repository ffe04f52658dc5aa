// Opens a MaxMind-format database (.mmdb) into memory with the `maxmind` reader, once per cold start.
import { readFileSync } from 'node:fs';
import { Reader, type Response } from 'maxmind';
import { ConfigError, errorMessage } from '#shared/errors.ts';

/**
 * Reads the whole database into memory (the reader looks addresses up in that buffer: RSS grows by
 * about the file's size) and checks it is one. Synchronous: the functions open it while they load,
 * as they read their configuration, and a missing or wrong file fails there, before any event.
 *
 * @example
 * const reader = openGeoIpDatabase('/opt/geoip/GeoLite2-City.mmdb', 'enrich.geoip.database');
 * reader.get('8.8.8.8') // { country: { iso_code: 'US', … }, … }
 */
export function openGeoIpDatabase(file: string, configPath: string): Reader<Response> {
  let buffer: Buffer;
  try {
    buffer = readFileSync(file);
  } catch (err) {
    throw new ConfigError(`cannot read the database: ${errorMessage(err)}`, file, configPath, {
      cause: err,
    });
  }
  try {
    return new Reader<Response>(buffer);
  } catch (err) {
    throw new ConfigError(
      `not a MaxMind-format database (.mmdb, not gzipped): ${errorMessage(err)}`,
      file,
      configPath,
      { cause: err },
    );
  }
}
