// Writes small MaxMind DB (.mmdb) files for tests: real databases in the documented binary format, read by the real `maxmind` reader.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Value = string | number | boolean | Value[] | { [key: string]: Value };

/** A control byte (and extended type byte) for `type` with payload `size`, per the MaxMind DB spec. */
function control(type: number, size: number): Buffer {
  const head: number[] = [];
  let sizeBytes: number[] = [];
  let low = size;
  if (size >= 65_821) {
    low = 31;
    const s = size - 65_821;
    sizeBytes = [(s >> 16) & 0xff, (s >> 8) & 0xff, s & 0xff];
  } else if (size >= 285) {
    low = 30;
    const s = size - 285;
    sizeBytes = [(s >> 8) & 0xff, s & 0xff];
  } else if (size >= 29) {
    low = 29;
    sizeBytes = [size - 29];
  }
  if (type <= 7) head.push((type << 5) | low);
  else head.push(low, type - 7);
  return Buffer.from([...head, ...sizeBytes]);
}

function uint(n: number): Buffer {
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from(bytes);
}

function encode(value: Value): Buffer {
  if (typeof value === 'string') {
    const body = Buffer.from(value, 'utf8');
    return Buffer.concat([control(2, body.length), body]);
  }
  if (typeof value === 'boolean') return control(14, value ? 1 : 0);
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0 && value < 2 ** 32) {
      const body = uint(value);
      return Buffer.concat([control(value < 65_536 ? 5 : 6, body.length), body]);
    }
    const body = Buffer.alloc(8);
    body.writeDoubleBE(value);
    return Buffer.concat([control(3, 8), body]);
  }
  if (Array.isArray(value)) return Buffer.concat([control(11, value.length), ...value.map(encode)]);
  const entries = Object.entries(value);
  return Buffer.concat([
    control(7, entries.length),
    ...entries.flatMap(([k, v]) => [encode(k), encode(v)]),
  ]);
}

/** Network `a.b.c.d/len` or `v6::/len` as the 128 bits of an IPv6 tree (IPv4 zero-padded in front). */
function networkBits(cidr: string): number[] {
  const [addr, len] = cidr.split('/') as [string, string];
  const bytes = new Array<number>(16).fill(0);
  if (isIPv4(addr)) {
    addr.split('.').forEach((p, i) => {
      bytes[12 + i] = Number(p);
    });
  } else {
    const [head, tail = ''] = addr.split('::') as [string, string?];
    const groups = (s: string) => (s ? s.split(':').map((g) => Number.parseInt(g, 16)) : []);
    const h = groups(head);
    const t = groups(tail);
    const all = [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
    all.forEach((g, i) => {
      bytes[2 * i] = g >> 8;
      bytes[2 * i + 1] = g & 0xff;
    });
  }
  const prefix = Number(len) + (isIPv4(addr) ? 96 : 0);
  const bits: number[] = [];
  for (let i = 0; i < prefix; i++) bits.push((bytes[i >> 3]! >> (7 - (i & 7))) & 1);
  return bits;
}

interface Node {
  children: [Node | number | undefined, Node | number | undefined];
}

/**
 * A MaxMind DB (IPv6 tree, 24-bit records) mapping each network (none may overlap another) to its record, e.g.
 * `{ '81.2.69.0/24': { country: { iso_code: 'GB' } } }`.
 *
 * @example
 * writeFileSync(file, buildMmdb('GeoLite2-City', { '81.2.69.0/24': { city: { names: { en: 'London' } } } }));
 */
export function buildMmdb(databaseType: string, networks: Record<string, Value>): Buffer {
  const data: Buffer[] = [];
  let dataSize = 0;
  const root: Node = { children: [undefined, undefined] };
  for (const [cidr, record] of Object.entries(networks)) {
    const offset = dataSize;
    const encoded = encode(record);
    data.push(encoded);
    dataSize += encoded.length;
    const bits = networkBits(cidr);
    let node = root;
    bits.forEach((bit, i) => {
      if (i === bits.length - 1) node.children[bit as 0 | 1] = -1 - offset;
      else {
        let next = node.children[bit as 0 | 1];
        if (typeof next !== 'object') {
          next = { children: [undefined, undefined] };
          node.children[bit as 0 | 1] = next;
        }
        node = next;
      }
    });
  }
  const nodes: Node[] = [];
  const queue: Node[] = [root];
  while (queue.length) {
    const n = queue.shift()!;
    nodes.push(n);
    for (const c of n.children) if (typeof c === 'object') queue.push(c);
  }
  const index = new Map(nodes.map((n, i) => [n, i]));
  const count = nodes.length;
  const tree = Buffer.alloc(count * 6);
  nodes.forEach((n, i) => {
    n.children.forEach((c, side) => {
      // Data offsets were stored as -1 - offset; a missing branch is `count` (no data).
      const value =
        c === undefined ? count : typeof c === 'number' ? count + 16 + (-1 - c) : index.get(c)!;
      tree.writeUIntBE(value, i * 6 + side * 3, 3);
    });
  });
  const metadata = encode({
    node_count: count,
    record_size: 24,
    ip_version: 6,
    database_type: databaseType,
    languages: ['en'],
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: 1_700_000_000,
    description: { en: 'logferry test database' },
  });
  const marker = Buffer.from([0xab, 0xcd, 0xef, ...Buffer.from('MaxMind.com')]);
  return Buffer.concat([tree, Buffer.alloc(16), ...data, marker, metadata]);
}

/** The CC0 country database an npm package ships (ip-location-db's schema: `country_code` only). */
export const COUNTRY_DB =
  'node_modules/@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb';

export function tempFile(name: string, bytes: Buffer | string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'logferry-geoip-')), name);
  writeFileSync(file, bytes);
  return file;
}

/** A city database in GeoIP2's schema and an ASN one in GeoLite2-ASN's, written in the MMDB format. */
export function cityAndAsn(): { city: string; asn: string } {
  const city = buildMmdb('GeoIP2-City', {
    '81.2.69.0/24': {
      continent: { code: 'EU', names: { en: 'Europe' } },
      country: { iso_code: 'GB', names: { en: 'United Kingdom', de: 'Vereinigtes Königreich' } },
      subdivisions: [{ iso_code: 'ENG', names: { en: 'England' } }],
      city: { names: { en: 'London' } },
      location: { latitude: 51.5142, longitude: -0.0931, time_zone: 'Europe/London' },
    },
    // Only a registered country, as GeoIP2 answers for an anycast range.
    '198.51.100.0/24': { registered_country: { iso_code: 'US', names: { en: 'United States' } } },
    // ip-location-db's flat city schema, with an IPv6 network.
    '2001:db8:1::/48': {
      country_code: 'DE',
      state1: 'Bavaria',
      city: 'Munich',
      latitude: 48.1374,
      longitude: 11.5755,
      timezone: 'Europe/Berlin',
    },
    // A record without a place: 0,0 is no location.
    '192.0.2.0/24': { country: { iso_code: 'FR' }, location: { latitude: 0, longitude: 0 } },
  });
  const asn = buildMmdb('GeoLite2-ASN', {
    '81.2.69.0/24': {
      autonomous_system_number: 20712,
      autonomous_system_organization: 'Andrews & Arnold Ltd',
    },
    '2001:db8:1::/48': { autonomous_system_number: 64500 },
  });
  return { city: tempFile('city.mmdb', city), asn: tempFile('asn.mmdb', asn) };
}
