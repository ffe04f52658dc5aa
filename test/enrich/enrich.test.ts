import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '#shared/config/file.ts';
import { createEnricher } from '#shared/enrich/enrich.ts';
import { createEnrichment } from '#shared/enrich/load.ts';
import type { InputEvent, LogDocument } from '#shared/model.ts';
import { transformEvents } from '#shared/transform/transform-events.ts';
import { configErrorOf } from '#test/helpers/config.ts';
import { COUNTRY_DB, cityAndAsn } from '#test/helpers/mmdb.ts';

const CHROME =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

function event(message: string, i = 0): InputEvent {
  return {
    id: `e${i}`,
    timestamp: Date.UTC(2025, 10, 20, 10),
    message,
    source: { logGroup: '/ecs/edge', logStream: 's' },
    recordId: 'r',
  };
}

const LINES = [
  `81.2.69.142 - - [20/Nov/2025:10:00:00 +0000] "GET / HTTP/1.1" 200 512 "-" "${CHROME}"`,
  `10.0.1.5 - - [20/Nov/2025:10:00:01 +0000] "GET /health HTTP/1.1" 200 2 "-" "curl/8.5.0" "2001:db8:1::7, 10.0.0.2"`,
  '{"level":"info","msg":"no client here"}',
];

function docs(config = parseConfig({ version: 1 }), root?: string): LogDocument[] {
  const enrich = createEnrichment(config, root);
  return transformEvents(LINES.map(event), config, { enrich }).routed.map((r) => r.doc);
}

describe('enrichment in the transform', () => {
  it('is off by default: no stage, documents as parsed', () => {
    // Prepare
    const config = parseConfig({ version: 1 });
    // Act
    const out = docs(config);
    // Assess
    expect(config.enrich).toEqual({ user_agent: false });
    expect(createEnrichment(config)).toBeUndefined();
    expect(out).toEqual(transformEvents(LINES.map(event), config).routed.map((r) => r.doc));
    expect(out[0]!.user_agent).toEqual({ original: CHROME });
  });

  it('user_agent: true adds name, version, OS and device beside user_agent.original', () => {
    const out = docs(parseConfig({ version: 1, enrich: { user_agent: true } }));
    expect(out[0]!.user_agent).toEqual({
      original: CHROME,
      name: 'Chrome',
      version: '124.0.0.0',
      os: { name: 'Mac OS', version: '10.15.7' },
      device: { name: 'Apple Macintosh' },
    });
    expect(out[1]!.user_agent).toEqual({ original: 'curl/8.5.0', name: 'curl', version: '8.5.0' });
    expect(out[2]!.user_agent).toBeUndefined();
  });

  it('geoip places source.ip and the forwarded client.ip, with ASN from a second database', () => {
    // Prepare: paths relative to the root, as logferry.yml names them
    const { city, asn } = cityAndAsn();
    const config = parseConfig({
      version: 1,
      enrich: { geoip: { database: city, asn_database: asn } },
    });
    // Act
    const out = docs(config, '/');
    // Assess
    expect(out[0]!.source).toMatchObject({
      ip: '81.2.69.142',
      geo: { city_name: 'London', location: { lat: 51.5142, lon: -0.0931 } },
      as: { number: 20712, organization: { name: 'Andrews & Arnold Ltd' } },
    });
    expect(out[1]!.source).toEqual({ ip: '10.0.1.5' });
    expect(out[1]!.client).toMatchObject({
      ip: '2001:db8:1::7',
      geo: { city_name: 'Munich', country_iso_code: 'DE' },
      as: { number: 64500 },
    });
  });

  it('resolves a relative database path from the root (the repository here, /var/task in Lambda)', () => {
    const config = parseConfig({ version: 1, enrich: { geoip: { database: COUNTRY_DB } } });
    const out = docs(config, process.cwd());
    expect(out[0]!.source).toMatchObject({ geo: { country_iso_code: 'GB' } });
  });

  it('runs before drop rules, so a rule may drop by an enriched field', () => {
    const config = parseConfig({
      version: 1,
      enrich: { user_agent: true },
      drop: [{ name: 'curl', field: 'user_agent.name', equals: 'curl' }],
    });
    const { routed, stats } = transformEvents(LINES.map(event), config, {
      enrich: createEnrichment(config),
    });
    expect(routed).toHaveLength(2);
    expect(stats.dropped).toEqual({ curl: 1 });
  });

  it('leaves a user_agent.original that is no string, and an ip that is none, alone', () => {
    // Prepare
    const enrich = createEnricher(
      { user_agent: true },
      { geo: { get: () => ({ country_code: 'US' }) } },
    )!;
    const doc = {
      user_agent: { original: 42 },
      source: { address: 'web-1' },
      client: { ip: ['1.1.1.1'] },
    } as unknown as LogDocument;
    // Act
    enrich(doc);
    // Assess
    expect(doc).toEqual({
      user_agent: { original: 42 },
      source: { address: 'web-1' },
      client: { ip: ['1.1.1.1'] },
    });
  });
});

describe('enrich: in logferry.yml', () => {
  it('rejects unknown keys and a geoip without its database', () => {
    const unknown = configErrorOf(() => parseConfig({ version: 1, enrich: { useragent: true } }));
    expect(unknown.message).toMatch(/enrich/);
    const noDb = configErrorOf(() =>
      parseConfig({ version: 1, enrich: { geoip: { asn_database: 'a.mmdb' } } }),
    );
    expect(noDb.message).toMatch(/enrich\.geoip\.database/);
    const notBool = configErrorOf(() => parseConfig({ version: 1, enrich: { user_agent: 'yes' } }));
    expect(notBool.message).toMatch(/enrich\.user_agent/);
  });

  it('a database that is not there fails at cold start with the file and the setting', () => {
    const config = parseConfig({
      version: 1,
      enrich: { geoip: { database: resolve(COUNTRY_DB), asn_database: 'geoip/GeoLite2-ASN.mmdb' } },
    });
    const err = configErrorOf(() => createEnrichment(config, '/var/task'));
    expect(err.file).toBe('/var/task/geoip/GeoLite2-ASN.mmdb');
    expect(err.path).toBe('enrich.geoip.asn_database');
  });
});
