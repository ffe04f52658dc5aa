// `npm run bootstrap` with a Dashboards URL, against a local receiver that checks the import request as
// OpenSearch Dashboards' saved-objects API documents it (no real Dashboards can be installed here).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { localEnv } from '#scripts/local/stack.ts';
import { importSavedObjects } from '#shared/clients/dashboards.ts';
import { createOpenSearchClient } from '#shared/clients/opensearch.ts';
import { parseConfigText } from '#shared/config/yaml.ts';
import { dashboardObjects, toNdjson } from '#shared/ops/dashboards/generate.ts';
import { testConfigPath } from '#test/helpers/config.ts';
import { ROOT } from '#test/helpers/events.ts';

interface Received {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: Buffer;
  file?: { name: string; text: string };
  problem?: string;
}

/** Answers like Dashboards: 400 for what its route validation refuses, else the import result. */
function createReceiver() {
  const requests: Received[] = [];
  const imported = (r: Received) => ({
    status: 200,
    body: { success: true, successCount: (r.file?.text.trim().split('\n').length ?? 1) - 1 },
  });
  let answer: (r: Received) => { status: number; body: unknown } = imported;
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const r: Received = {
      method: req.method ?? '',
      url: new URL(req.url ?? '/', 'http://receiver'),
      headers: req.headers,
      body: Buffer.concat(chunks),
    };
    requests.push(r);
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const bad = (message: string) => {
      r.problem = message;
      reply(400, { statusCode: 400, error: 'Bad Request', message });
    };
    if (r.method !== 'POST' || r.url.pathname !== '/base/api/saved_objects/_import')
      return reply(404, { statusCode: 404, error: 'Not Found' });
    if (!('osd-xsrf' in req.headers)) return bad('Request must contain a osd-xsrf header.');
    if (r.url.searchParams.get('overwrite') !== 'true' || r.url.searchParams.has('createNewCopies'))
      return bad('expected overwrite=true without createNewCopies');
    if (!/^multipart\/form-data; boundary=/.test(req.headers['content-type'] ?? ''))
      return bad('Unsupported Media Type');
    // Parsed by the platform's own multipart reader, not by the code under test.
    const form = await new Response(r.body, {
      headers: { 'content-type': req.headers['content-type']! },
    }).formData();
    const file = form.get('file');
    if (!(file instanceof File)) return bad('[request body.file]: expected a file');
    if (!file.name.endsWith('.ndjson')) return bad(`Invalid file extension ${file.name}`);
    r.file = { name: file.name, text: await file.text() };
    const result = answer(r);
    reply(result.status, result.body);
  });
  return {
    requests,
    server,
    answerWith(fn: typeof answer) {
      answer = fn;
    },
    reset() {
      requests.length = 0;
      answer = imported;
    },
    async listen(): Promise<string> {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/base`;
    },
  };
}

const env = localEnv();
const prefix = `it-dimp-${process.pid}`;
const configFile = testConfigPath(`${prefix}.yml`);
const yaml = `version: 1\nindex: { prefix: ${prefix} }\n`;
const expected = toNdjson(dashboardObjects(parseConfigText(yaml, configFile)));
const receiver = createReceiver();
let url = '';

beforeAll(async () => {
  mkdirSync(join(ROOT, '.local', 'test-config'), { recursive: true });
  writeFileSync(configFile, yaml);
  url = await receiver.listen();
});
beforeEach(() => receiver.reset());
afterAll(async () => {
  receiver.server.close();
  const opensearch = createOpenSearchClient({ url: env.OPENSEARCH_URL! });
  await opensearch.indices.deleteIndexTemplate({ name: `logferry-${prefix}` }, { ignore: [404] });
});

async function bootstrap(
  ...args: string[]
): Promise<{ code: number; report: Record<string, unknown> }> {
  const run = promisify(execFile)(
    'npx',
    ['tsx', 'scripts/bootstrap.ts', '--json', '--local', '--config', configFile, ...args],
    { cwd: ROOT, env: { ...process.env, ...env } },
  );
  const { stdout, code } = await run.then(
    (r) => ({ ...r, code: 0 }),
    (err: { stdout: string; code: number }) => ({ stdout: err.stdout, code: err.code }),
  );
  return { code, report: JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') };
}

describe('npm run bootstrap with a Dashboards URL', () => {
  it('imports the generated objects: one multipart POST with osd-xsrf and overwrite=true', async () => {
    // Act
    const { code, report } = await bootstrap('--dashboards-url', url);
    // Assess
    expect(code).toBe(0);
    expect(receiver.requests).toHaveLength(1);
    const r = receiver.requests[0]!;
    expect(r.problem).toBeUndefined();
    expect(r.file?.name).toBe('logferry.ndjson');
    expect(r.file?.text).toBe(expected);
    for (const line of r.file!.text.trimEnd().split('\n').slice(0, -1))
      expect(JSON.parse(line).id).toMatch(/^logferry-/);
    const objects = expected.trimEnd().split('\n').length - 1;
    expect(report.dashboards).toEqual({ url, objects, imported: objects, errors: [] });
    expect((report.templates as { status: string }[])[0]?.status).toMatch(/created|unchanged/);
  });

  it('takes DASHBOARDS_URL from the environment', async () => {
    const run = promisify(execFile)(
      'npx',
      ['tsx', 'scripts/bootstrap.ts', '--json', '--local', '--config', configFile],
      { cwd: ROOT, env: { ...process.env, ...env, DASHBOARDS_URL: url } },
    );
    await run;
    expect(receiver.requests.map((r) => r.file?.name)).toEqual(['logferry.ndjson']);
  });

  it('reports the objects Dashboards refused and exits 1', async () => {
    // Prepare
    receiver.answerWith(() => ({
      status: 200,
      body: {
        success: false,
        successCount: 3,
        errors: [
          {
            id: `logferry-${prefix}-vis-access-latency`,
            type: 'visualization',
            title: 'x',
            error: { type: 'missing_references', references: [] },
          },
        ],
      },
    }));
    // Act
    const { code, report } = await bootstrap('--dashboards-url', url);
    // Assess
    expect(code).toBe(1);
    expect((report.dashboards as { errors: string[] }).errors).toEqual([
      `visualization logferry-${prefix}-vis-access-latency: missing_references`,
    ]);
  });

  it('a Dashboards that answers 403 fails the run with the status, after the templates', async () => {
    receiver.answerWith(() => ({ status: 403, body: { message: 'no permissions' } }));
    const { code, report } = await bootstrap('--dashboards-url', url);
    expect(code).toBe(1);
    expect((report.dashboards as { errors: string[] }).errors[0]).toMatch(/answered HTTP 403/);
    expect(report.templates).toHaveLength(1);
  });

  it('without a Dashboards URL on a non-AWS endpoint it skips the import and says why', async () => {
    const { code, report } = await bootstrap();
    expect(code).toBe(0);
    expect(receiver.requests).toHaveLength(0);
    expect(report.dashboardsSkipped).toMatch(/no OpenSearch Dashboards URL/);
  });
});

describe('importSavedObjects signed for an AWS domain', () => {
  it('sends SigV4 for service es over the exact body it posts', async () => {
    // Prepare
    const credentials = async () => ({ accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' });
    // Act
    const result = await importSavedObjects(
      { url, sign: 'es', region: 'eu-west-1', credentials },
      expected,
    );
    // Assess
    expect(result.success).toBe(true);
    const r = receiver.requests[0]!;
    expect(r.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/eu-west-1\/es\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*osd-xsrf[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
    expect(r.headers['x-amz-content-sha256']).toBe(
      createHash('sha256').update(r.body).digest('hex'),
    );
    expect(r.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(r.file?.text).toBe(expected);
  });
});
