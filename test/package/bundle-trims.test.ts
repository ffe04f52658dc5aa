// The esbuild settings of serverless.yml (plugins and aliases) leave the parts out that they say, and the rest works.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { serverlessBuildOptions } from '#bench/bundles.ts';
import { ROOT } from '#test/helpers/events.ts';
import { kplAggregate } from '#test/helpers/kinesis-events.ts';

const dir = path.join(ROOT, '.local', 'tmp', 'bundle-trims');
const entry = path.join(dir, 'probe.ts');

interface Serializer {
  serialize(value: unknown): string;
  deserialize(json: string): unknown;
}

interface Probe {
  client: {
    transport: { serializer: Serializer };
    indices: { create: unknown };
    cluster: { health: unknown };
    ml: unknown;
    bulk: unknown;
  };
  /** A client with the long-numeral mode on, the one path that would use json11. */
  longNumerals: { transport: { serializer: Serializer } };
  kpl: {
    deaggregate: (
      record: unknown,
      checksums: boolean,
      perRecord: (err: Error | null, user?: { data: string; partitionKey: string }) => void,
      after: (err?: Error | null) => void,
    ) => void;
  };
  code: string;
}

let probe: Probe;

beforeAll(async () => {
  // Prepare: what the functions import, bundled exactly as serverless.yml bundles them.
  const { options } = serverlessBuildOptions(ROOT);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    entry,
    `import { Client } from '@opensearch-project/opensearch';
import kpl from 'aws-kinesis-agg';
export const client = new Client({ node: 'http://127.0.0.1:9' });
export const longNumerals = new Client({ node: 'http://127.0.0.1:9', enableLongNumeralSupport: true });
export { kpl };`,
  );
  const out = await build({
    ...options,
    entryPoints: [entry],
    outdir: dir,
    sourcemap: false,
    write: true,
    logLevel: 'silent',
  });
  expect(out.errors).toEqual([]);
  const file = path.join(dir, 'probe.cjs');
  probe = {
    ...createRequire(import.meta.url)(file),
    code: (await import('node:fs')).readFileSync(file, 'utf8'),
  };
}, 60_000);

describe('bundle trims', () => {
  it('keeps the core calls and the kept namespaces of the OpenSearch client working', () => {
    expect(typeof probe.client.bulk).toBe('function');
    expect(typeof probe.client.indices.create).toBe('function');
    expect(typeof probe.client.cluster.health).toBe('function');
  });

  it('leaves the other namespaces out, and says so when one is used', () => {
    expect(() => probe.client.ml).toThrow(
      /ml API is not in the Lambda bundle.*esbuild-plugins\.cjs/,
    );
    // Names only the ML API's own operations carry.
    expect(probe.code).not.toContain('_plugins/_ml/models');
    expect(probe.code).toContain('_bulk');
  });

  it('serialises and parses bodies without json11, falling back to plain JSON in long-numeral mode', () => {
    // Act: what the transport does with a request and a response body.
    const plain = probe.client.transport.serializer;
    const long = probe.longNumerals.transport.serializer;
    // Assess: plain JSON both ways; with the mode on, the stub's throw is caught and the plain result kept.
    expect(plain.serialize({ a: 1, b: 'x' })).toBe('{"a":1,"b":"x"}');
    expect(plain.deserialize('{"took":3,"errors":false}')).toEqual({ took: 3, errors: false });
    expect(long.deserialize('{"n":12345678901234567890}')).toEqual({ n: 12345678901234567000 });
    expect(long.serialize({ n: 1 })).toBe('{"n":1}');
    // json11's own error texts are not in the bundle.
    expect(probe.code).not.toContain('JSON11: invalid character');
    expect(probe.code).toContain('json11 (long numerals) is not in the Lambda bundle');
  });

  it('de-aggregates KPL records with the trimmed library as the full one aggregated them', () => {
    // Prepare: two user records aggregated by the library's own aggregator (test helper, not bundled).
    const data = kplAggregate([
      { partitionKey: 'a', data: 'first line' },
      { partitionKey: 'b', data: 'second line' },
    ]);
    // Act: the call shared/decode/kinesis.ts makes, on the bundled library.
    const out: [string, string][] = [];
    const errors: unknown[] = [];
    probe.kpl.deaggregate(
      { data: data.toString('base64'), partitionKey: 'a', sequenceNumber: '1' },
      true,
      (err, user) => {
        if (err) errors.push(err);
        else if (user) out.push([user.partitionKey, Buffer.from(user.data, 'base64').toString()]);
      },
      (err) => {
        if (err) errors.push(err);
      },
    );
    // Assess
    expect(errors).toEqual([]);
    expect(out).toEqual([
      ['a', 'first line'],
      ['b', 'second line'],
    ]);
    // Neither the .proto parser nor the aggregator is in the bundle.
    expect(probe.code).not.toContain('"service name"');
    expect(probe.code).not.toContain('RecordAggregator');
  });
});
