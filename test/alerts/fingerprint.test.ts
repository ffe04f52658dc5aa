import { describe, expect, it } from 'vitest';
import { fingerprint, normalizeMessage } from '#shared/alerts/fingerprint.ts';

describe('normalizeMessage', () => {
  it('replaces numbers, ids, hex and UUIDs with placeholders', () => {
    expect(normalizeMessage('order ord_8f3a2c failed after 3 tries')).toBe(
      'order <id> failed after <n> tries',
    );
    expect(normalizeMessage('request 0b6c1f5e-8c53-4a8e-9a59-2f1c8d1e7a10 timed out')).toBe(
      'request <uuid> timed out',
    );
    expect(normalizeMessage('bad pointer 0x7ffd5e8c at commit 3f9a1c2b7d')).toBe(
      'bad pointer <hex> at commit <hex>',
    );
    expect(normalizeMessage('connect to 10.0.2.15:8080 refused')).toBe(
      'connect to <n>.<n>.<n>.<n>:<n> refused',
    );
    expect(normalizeMessage('host ip-10-0-2-15 down')).toBe('host <id> down');
  });

  it('keeps the words that say what happened, and collapses whitespace', () => {
    expect(normalizeMessage('  card   declined:\tinsufficient_funds ')).toBe(
      'card declined: insufficient_funds',
    );
  });
});

describe('fingerprint', () => {
  it('is equal for the same error with other numbers and ids inside', () => {
    const a = fingerprint({
      source: '/ecs/api',
      errorType: 'TimeoutError',
      message:
        'upstream 10.0.0.1 timed out after 30012ms (req 7f3e9a1b-2c4d-4e5f-8a9b-0c1d2e3f4a5b)',
    });
    const b = fingerprint({
      source: '/ecs/api',
      errorType: 'TimeoutError',
      message:
        'upstream 10.0.0.7 timed out after 31877ms (req 1a2b3c4d-5e6f-4a1b-9c2d-3e4f5a6b7c8d)',
    });
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
  });

  it('differs by source, error type and wording', () => {
    const base = { source: '/ecs/api', errorType: 'TimeoutError', message: 'upstream timed out' };
    const fp = fingerprint(base);
    expect(fingerprint({ ...base, source: '/ecs/web' })).not.toBe(fp);
    expect(fingerprint({ ...base, errorType: 'SocketError' })).not.toBe(fp);
    expect(fingerprint({ ...base, message: 'upstream refused' })).not.toBe(fp);
    expect(fingerprint({ ...base, errorMessage: 'card declined' })).not.toBe(fp);
  });
});
