import { describe, expect, it } from 'vitest';
import { createUserAgentParser } from '#shared/enrich/user-agent.ts';

describe('user agent parsing', () => {
  it('names browser, version, OS and device of common agents', () => {
    // Prepare
    const parse = createUserAgentParser();
    // Act / Assess
    expect(
      parse(
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
      ),
    ).toEqual({ name: 'Chrome', version: '124.0.0.0', os: { name: 'Windows', version: '10' } });
    expect(
      parse(
        'Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1',
      ),
    ).toEqual({
      name: 'Mobile Safari',
      version: '16.6',
      os: { name: 'iOS', version: '16.6' },
      device: { name: 'Apple iPhone' },
    });
    expect(
      parse(
        'Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0.0.0 Mobile Safari/537.36',
      ),
    ).toMatchObject({ name: 'Chrome', os: { name: 'Android', version: '13' } });
    expect(parse('Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0')).toEqual(
      { name: 'Firefox', version: '125.0', os: { name: 'Linux' } },
    );
  });

  it('names command-line clients by their product token, which ua-parser-js does not know', () => {
    const parse = createUserAgentParser();
    expect(parse('curl/8.5.0')).toEqual({ name: 'curl', version: '8.5.0' });
    expect(parse('okhttp/4.12.0')).toEqual({ name: 'okhttp', version: '4.12.0' });
    expect(parse('python-requests/2.31.0')).toEqual({ name: 'python-requests', version: '2.31.0' });
  });

  it('says nothing of strings that name nothing, and does not take Mozilla/5.0 for a product', () => {
    const parse = createUserAgentParser();
    expect(parse('-')).toBeUndefined();
    expect(parse('')).toBeUndefined();
    expect(parse('}{ not an agent')).toBeUndefined();
    expect(parse('Mozilla/5.0 (compatible; SomeUnknownCrawler)')?.name).toBeUndefined();
  });

  it('hands out fresh objects: a document changed later (redaction, truncation) cannot change the cache', () => {
    // Prepare
    const parse = createUserAgentParser();
    const ua = 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0';
    // Act
    const first = parse(ua)!;
    first.name = 'changed';
    (first.os as Record<string, unknown>).name = 'changed';
    // Assess
    expect(parse(ua)).toEqual({ name: 'Firefox', version: '125.0', os: { name: 'Linux' } });
  });

  it('keeps answering right once its cache is full and cleared', () => {
    const parse = createUserAgentParser({ cacheSize: 2 });
    const agents = ['curl/1.0', 'curl/2.0', 'curl/3.0', 'curl/1.0', 'wget/1.21'];
    expect(agents.map((a) => parse(a)?.version)).toEqual(['1.0', '2.0', '3.0', '1.0', '1.21']);
  });

  it('reads a hostile 256 KiB string at the cost of its first 500 characters', () => {
    const parse = createUserAgentParser();
    const long = `Mozilla/5.0 (${'a;('.repeat(90_000)}`;
    expect(() => parse(long)).not.toThrow();
    expect(parse(`curl/8.5.0 ${'x'.repeat(300_000)}`)).toEqual({ name: 'curl', version: '8.5.0' });
  });
});
