// Enrichment end to end: the real CloudWatch Logs handler opens the GeoIP databases at cold start and indexes typed user agent, geo and AS fields into the real OpenSearch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awslogsEvent, messageOf } from '#test/helpers/events.ts';
import { cityAndAsn } from '#test/helpers/mmdb.ts';
import { type LocalPipeline, localPipeline } from '#test/helpers/pipeline.ts';

let p: LocalPipeline;

type Where = { ip?: string; geo?: Record<string, unknown>; as?: Record<string, unknown> };
type Hit = { source?: Where; client?: Where; user_agent?: Record<string, unknown> };

const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

beforeAll(async () => {
  const { city, asn } = cityAndAsn();
  p = await localPipeline('enrich', {
    yaml: `enrich: { user_agent: true, geoip: { database: '${city}', asn_database: '${asn}' } }\n`,
  });
});

afterAll(() => p.restoreEnv());

describe('enrichment → OpenSearch', () => {
  it('indexes user agent keywords, geo_point locations and AS numbers that queries can use', async () => {
    // Prepare
    const lines = [
      `81.2.69.142 - - [20/Nov/2025:10:00:00 +0000] "GET / HTTP/1.1" 200 512 "-" "${CHROME}"`,
      `10.0.1.5 - - [20/Nov/2025:10:00:01 +0000] "GET /a HTTP/1.1" 200 2 "-" "curl/8.5.0" "2001:db8:1::7, 10.0.0.2"`,
      `10.0.1.6 - - [20/Nov/2025:10:00:02 +0000] "GET /b HTTP/1.1" 404 0 "-" "-"`,
    ];
    // Act
    const summary = await p.invoke(awslogsEvent(messageOf(lines, { group: '/ecs/edge/nginx' })));
    // Assess
    expect(summary).toMatchObject({ events: 3, indexed: 3, deadLettered: 0, retry: 0 });
    const index = `${p.prefix}-access-2025.11.20`;
    expect(await p.count(index)).toBe(3);
    const search = async (query: object) => {
      const { body } = await p.opensearch.search({ index, body: { query } });
      return body.hits.hits.map((h) => h._source as Hit);
    };
    const near = await search({
      geo_distance: { distance: '50km', 'source.geo.location': { lat: 51.5, lon: -0.1 } },
    });
    expect(near.map((d) => d.source)).toEqual([
      expect.objectContaining({
        ip: '81.2.69.142',
        geo: expect.objectContaining({ city_name: 'London', country_iso_code: 'GB' }),
        as: { number: 20712, organization: { name: 'Andrews & Arnold Ltd' } },
      }),
    ]);
    const chrome = await search({ term: { 'user_agent.name': 'Chrome' } });
    expect(chrome[0]?.user_agent).toMatchObject({ os: { name: 'Windows', version: '10' } });
    const munich = await search({
      geo_distance: { distance: '10km', 'client.geo.location': { lat: 48.14, lon: 11.58 } },
    });
    expect(munich.map((d) => d.client?.ip)).toEqual(['2001:db8:1::7']);
    const byAs = await search({ range: { 'client.as.number': { gte: 64500, lte: 64511 } } });
    expect(byAs).toHaveLength(1);
    const { body: mapping } = await p.opensearch.indices.getFieldMapping({
      index,
      fields: ['source.geo.location', 'user_agent.name'],
    });
    const fields = Object.values(mapping)[0]!.mappings as Record<string, { mapping: object }>;
    expect(Object.values(fields['source.geo.location']!.mapping)[0]).toMatchObject({
      type: 'geo_point',
    });
  });
});
