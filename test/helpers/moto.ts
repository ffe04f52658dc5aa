// Small moto calls for tests that have no SDK client in the project (Kinesis), over moto's plain JSON API.
import { localEnv } from '#scripts/local/stack.ts';

/** Calls a JSON-protocol AWS API on moto; moto needs only the credential scope to route it. */
async function motoJson(
  service: string,
  target: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  const env = localEnv();
  const region = env.AWS_REGION ?? 'us-east-1';
  const res = await fetch(env.AWS_ENDPOINT_URL ?? 'http://127.0.0.1:5000', {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': target,
      authorization: `AWS4-HMAC-SHA256 Credential=test/20250101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${target}: HTTP ${res.status} ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/** Creates a one-shard Kinesis stream in moto and returns its ARN. */
export async function createKinesisStream(name: string): Promise<string> {
  await motoJson('kinesis', 'Kinesis_20131202.CreateStream', { StreamName: name, ShardCount: 1 });
  const out = await motoJson('kinesis', 'Kinesis_20131202.DescribeStreamSummary', {
    StreamName: name,
  });
  return (out.StreamDescriptionSummary as { StreamARN: string }).StreamARN;
}
