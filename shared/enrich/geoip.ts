// source.geo / source.as (and client.*) from MaxMind-format database records: GeoIP2/GeoLite2 and DB-IP's schema, and ip-location-db's flat one.
import { isIP } from 'node:net';
import type { Fields } from '#shared/model.ts';

/** A MaxMind-format database opened in memory (the `maxmind` reader), handed in by the caller. */
export interface GeoIpReader {
  get(ip: string): unknown;
}

type Obj = Record<string, unknown>;

function obj(value: unknown): Obj | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Obj)
    : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The English name of a GeoIP2 record (`{ names: { en: 'Germany' } }`). */
function englishName(record: unknown): string | undefined {
  return str(obj(obj(record)?.names)?.en);
}

let regionNames: Intl.DisplayNames | undefined;

/** `DE` → `Germany`, for databases that carry only the code (ip-location-db). */
function countryName(code: string): string | undefined {
  try {
    regionNames ??= new Intl.DisplayNames(['en'], { type: 'region' });
    const name = regionNames.of(code);
    return name && name !== code ? name : undefined;
  } catch {
    return undefined;
  }
}

/** What the document's `*.geo` gets from one database record, flat; undefined when it says nothing. */
interface Geo {
  countryIso?: string;
  countryName?: string;
  cityName?: string;
  regionName?: string;
  regionIso?: string;
  continentCode?: string;
  timezone?: string;
  lat?: number;
  lon?: number;
}

/**
 * Geo fields of a record in either schema: GeoIP2 (`country.iso_code`, `city.names.en`,
 * `subdivisions[0]`, `location.latitude`) or ip-location-db's (`country_code`, `state1`, `city`,
 * `latitude`).
 */
export function geoOf(value: unknown): Geo | undefined {
  const r = obj(value);
  if (!r) return undefined;
  const geo: Geo = {};
  const country = obj(r.country) ?? obj(r.registered_country);
  geo.countryIso = str(country?.iso_code) ?? str(r.country_code);
  geo.countryName =
    englishName(country) ?? (geo.countryIso ? countryName(geo.countryIso) : undefined);
  geo.cityName = englishName(r.city) ?? str(r.city);
  const subdivision = Array.isArray(r.subdivisions) ? obj(r.subdivisions[0]) : undefined;
  geo.regionName = englishName(subdivision) ?? str(r.state1);
  const regionCode = str(subdivision?.iso_code);
  if (regionCode && geo.countryIso) geo.regionIso = `${geo.countryIso}-${regionCode}`;
  geo.continentCode = str(obj(r.continent)?.code);
  const location = obj(r.location);
  geo.timezone = str(location?.time_zone) ?? str(r.timezone);
  const lat = num(location?.latitude) ?? num(r.latitude);
  const lon = num(location?.longitude) ?? num(r.longitude);
  // 0,0 is where a record without a place puts itself, not a place anyone logs from.
  if (lat !== undefined && lon !== undefined && (lat !== 0 || lon !== 0)) {
    geo.lat = lat;
    geo.lon = lon;
  }
  for (const k of Object.keys(geo) as (keyof Geo)[]) if (geo[k] === undefined) delete geo[k];
  return Object.keys(geo).length ? geo : undefined;
}

/** `autonomous_system_number` / `_organization`, as GeoLite2-ASN, DB-IP and ip-location-db write them. */
export function asOf(value: unknown): { number?: number; org?: string } | undefined {
  const r = obj(value);
  const number = num(r?.autonomous_system_number);
  const org = str(r?.autonomous_system_organization);
  if (number === undefined && org === undefined) return undefined;
  return { ...(number !== undefined ? { number } : {}), ...(org ? { org } : {}) };
}

function geoFields(geo: Geo): Fields {
  const out: Fields = {};
  if (geo.continentCode) out.continent_code = geo.continentCode;
  if (geo.countryIso) out.country_iso_code = geo.countryIso;
  if (geo.countryName) out.country_name = geo.countryName;
  if (geo.regionIso) out.region_iso_code = geo.regionIso;
  if (geo.regionName) out.region_name = geo.regionName;
  if (geo.cityName) out.city_name = geo.cityName;
  if (geo.timezone) out.timezone = geo.timezone;
  if (geo.lat !== undefined && geo.lon !== undefined) out.location = { lat: geo.lat, lon: geo.lon };
  return out;
}

interface Place {
  geo?: Geo;
  as?: { number?: number; org?: string };
}

const DEFAULT_CACHE = 10_000;

function lookup(reader: GeoIpReader | undefined, ip: string): unknown {
  if (!reader) return undefined;
  try {
    return reader.get(ip);
  } catch {
    // A reader refuses what it cannot parse as an address; such a value has no place.
    return undefined;
  }
}

/**
 * Looks addresses up in a geo database and, when given, an ASN database (one database may hold
 * both), remembering the addresses it saw. Returns `{ geo, as }` in ECS shape for an address with a
 * place, undefined for one without (private ranges, a hostname, a malformed value).
 *
 * @example
 * const place = createGeoIpLookup({ geo: reader });
 * place('8.8.8.8') // { geo: { country_iso_code: 'US', country_name: 'United States' } }
 */
export function createGeoIpLookup(
  readers: { geo?: GeoIpReader; asn?: GeoIpReader },
  opts: { cacheSize?: number } = {},
): (ip: string) => { geo?: Fields; as?: Fields } | undefined {
  const max = opts.cacheSize ?? DEFAULT_CACHE;
  const cache = new Map<string, Place>();
  return (ip) => {
    let place = cache.get(ip);
    if (place === undefined) {
      place = {};
      if (isIP(ip) !== 0) {
        const record = lookup(readers.geo, ip);
        const geo = geoOf(record);
        if (geo) place.geo = geo;
        const as = asOf(readers.asn ? lookup(readers.asn, ip) : record);
        if (as) place.as = as;
      }
      if (cache.size >= max) cache.clear();
      cache.set(ip, place);
    }
    if (!place.geo && !place.as) return undefined;
    const out: { geo?: Fields; as?: Fields } = {};
    if (place.geo) out.geo = geoFields(place.geo);
    if (place.as) {
      const as: Fields = {};
      if (place.as.number !== undefined) as.number = place.as.number;
      if (place.as.org) as.organization = { name: place.as.org };
      out.as = as;
    }
    return out;
  };
}
