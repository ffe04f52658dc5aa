import { describe, expect, it } from 'vitest';
import { openGeoIpDatabase } from '#shared/clients/geoip-database.ts';
import { createGeoIpLookup } from '#shared/enrich/geoip.ts';
import { ConfigError } from '#shared/errors.ts';
import { configErrorOf } from '#test/helpers/config.ts';
import { COUNTRY_DB, cityAndAsn, tempFile } from '#test/helpers/mmdb.ts';

describe('GeoIP lookups', () => {
  it('reads the country database the npm package ships, IPv4 and IPv6, with English country names', () => {
    // Prepare
    const place = createGeoIpLookup({
      geo: openGeoIpDatabase(COUNTRY_DB, 'enrich.geoip.database'),
    });
    // Act / Assess
    expect(place('8.8.8.8')).toEqual({
      geo: { country_iso_code: 'US', country_name: 'United States' },
    });
    expect(place('2a00:1450:4001:82a::200e')?.geo?.country_iso_code).toMatch(/^[A-Z]{2}$/);
    expect(place('10.0.0.1')).toBeUndefined();
    expect(place('::1')).toBeUndefined();
  });

  it('maps GeoIP2 city and ASN records to source.geo / source.as, location as a geo_point', () => {
    const { city, asn } = cityAndAsn();
    const place = createGeoIpLookup({
      geo: openGeoIpDatabase(city, 'enrich.geoip.database'),
      asn: openGeoIpDatabase(asn, 'enrich.geoip.asn_database'),
    });
    expect(place('81.2.69.142')).toEqual({
      geo: {
        continent_code: 'EU',
        country_iso_code: 'GB',
        country_name: 'United Kingdom',
        region_iso_code: 'GB-ENG',
        region_name: 'England',
        city_name: 'London',
        timezone: 'Europe/London',
        location: { lat: 51.5142, lon: -0.0931 },
      },
      as: { number: 20712, organization: { name: 'Andrews & Arnold Ltd' } },
    });
    expect(place('198.51.100.7')).toEqual({
      geo: { country_iso_code: 'US', country_name: 'United States' },
    });
    expect(place('192.0.2.1')).toEqual({
      geo: { country_iso_code: 'FR', country_name: 'France' },
    });
  });

  it("maps ip-location-db's flat city schema, and AS fields without an organisation", () => {
    const { city, asn } = cityAndAsn();
    const place = createGeoIpLookup({
      geo: openGeoIpDatabase(city, 'x'),
      asn: openGeoIpDatabase(asn, 'y'),
    });
    expect(place('2001:db8:1::7')).toEqual({
      geo: {
        country_iso_code: 'DE',
        country_name: 'Germany',
        region_name: 'Bavaria',
        city_name: 'Munich',
        timezone: 'Europe/Berlin',
        location: { lat: 48.1374, lon: 11.5755 },
      },
      as: { number: 64500 },
    });
  });

  it('gives nothing for hostnames, sockets, malformed values and unknown networks, and never throws', () => {
    const { city } = cityAndAsn();
    const place = createGeoIpLookup({ geo: openGeoIpDatabase(city, 'x') });
    for (const value of [
      'web-1.internal',
      'unix:',
      '999.1.1.1',
      '',
      '81.2.69',
      '8.8.8.8',
      '2001:db8:2::1',
    ])
      expect(place(value)).toBeUndefined();
  });

  it('a reader that throws is a place unknown, not a failed batch', () => {
    const place = createGeoIpLookup({
      geo: {
        get() {
          throw new Error('corrupt search tree');
        },
      },
    });
    expect(place('81.2.69.142')).toBeUndefined();
  });

  it('hands out fresh objects, and answers the same after its cache is cleared', () => {
    const { city } = cityAndAsn();
    const place = createGeoIpLookup({ geo: openGeoIpDatabase(city, 'x') }, { cacheSize: 1 });
    const first = place('81.2.69.142')!;
    (first.geo as Record<string, unknown>).city_name = 'changed';
    expect(place('81.2.69.142')?.geo?.city_name).toBe('London');
    expect(place('2001:db8:1::7')?.geo?.city_name).toBe('Munich');
    expect(place('81.2.69.142')?.geo?.city_name).toBe('London');
  });
});

describe('opening a database', () => {
  it('a missing file is a ConfigError naming the file and the setting', () => {
    const err = configErrorOf(() =>
      openGeoIpDatabase('/nonexistent/GeoLite2-City.mmdb', 'enrich.geoip.database'),
    );
    expect(err.file).toBe('/nonexistent/GeoLite2-City.mmdb');
    expect(err.path).toBe('enrich.geoip.database');
    expect(err.message).toMatch(/cannot read the database: .*ENOENT/);
  });

  it('a file that is no MaxMind database (text, a gzipped one) is a ConfigError', () => {
    for (const bytes of ['not a database', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0])]) {
      const file = tempFile('bad.mmdb', bytes);
      const err = configErrorOf(() => openGeoIpDatabase(file, 'enrich.geoip.asn_database'));
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.message).toMatch(/not a MaxMind-format database/);
      expect(err.path).toBe('enrich.geoip.asn_database');
    }
  });
});
