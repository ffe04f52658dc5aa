import { describe, expect, it } from 'vitest';
import { parseConfig } from '#shared/config/file.ts';
import { matchGlob } from '#shared/glob.ts';
import { classify, indexName } from '#shared/transform/classify.ts';
import { selectRoute } from '#shared/transform/route.ts';

describe('globs', () => {
  it.each([
    ['/ecs/*', '/ecs/web', true],
    ['/ecs/*', '/ecs/web/nginx', false],
    ['/ecs/**', '/ecs/web/nginx', true],
    ['/aws/lambda/checkout-?', '/aws/lambda/checkout-1', true],
    ['/a.b', '/aXb', false],
  ])('%s matches %s: %s', (glob, value, expected) => {
    expect(matchGlob(glob, value)).toBe(expected);
  });
});

describe('routes', () => {
  const config = parseConfig({
    version: 1,
    routes: [
      {
        name: 'web',
        match: { log_group: '/ecs/web/**', log_stream: '*/nginx-error/*' },
        log_type: 'error',
      },
      { name: 'web-all', match: { log_group: '/ecs/web/**' }, index_prefix: 'web' },
    ],
  });

  it('picks the first route whose globs all match', () => {
    expect(
      selectRoute(config.routes, { logGroup: '/ecs/web/nginx', logStream: 'nginx/nginx-error/abc' })
        ?.name,
    ).toBe('web');
    expect(
      selectRoute(config.routes, { logGroup: '/ecs/web/nginx', logStream: 'nginx/1' })?.name,
    ).toBe('web-all');
    expect(selectRoute(config.routes, { logGroup: '/ecs/other', logStream: 'x' })).toBeUndefined();
  });

  it('classifies by dataset and level unless the route sets the type', () => {
    expect(classify('nginx.access', undefined)).toBe('access');
    expect(classify('nginx.error', 'warn')).toBe('error');
    expect(classify('app.json', 'fatal')).toBe('error');
    expect(classify('app.json', 'warn')).toBe('application');
    expect(classify('text', undefined, config.routes[0])).toBe('error');
  });

  it('names daily indices from the UTC time', () => {
    expect(indexName('logs', 'access', '2025-01-05T23:59:59.999Z')).toBe('logs-access-2025.01.05');
  });
});
