import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasDigitRun, maskCards } from '#shared/transform/redact-cards.ts';

/** The check as one loop over every character: what hasDigitRun must answer. */
function reference(s: string, min: number): boolean {
  let run = 0;
  let sep = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++run >= min) return true;
      sep = false;
    } else if ((c === 32 || c === 45) && run > 0 && !sep) {
      sep = true;
    } else {
      run = 0;
      sep = false;
    }
  }
  return false;
}

describe('hasDigitRun', () => {
  it('finds runs of digits with single spaces or dashes between them, and nothing else', () => {
    expect(hasDigitRun('4111111111111', 13)).toBe(true);
    expect(hasDigitRun('x 4111 1111 1111 1111 y', 13)).toBe(true);
    expect(hasDigitRun('4111-1111-1111-1', 13)).toBe(true);
    expect(hasDigitRun('411111111111', 13)).toBe(false);
    // Two separators in a row end the run; so does any other character.
    expect(hasDigitRun('4111111  111111', 13)).toBe(false);
    expect(hasDigitRun('4111111 -111111', 13)).toBe(false);
    expect(hasDigitRun('4111111/111111', 13)).toBe(false);
    expect(hasDigitRun(' - - - - - - - - - - - - - 1', 13)).toBe(false);
    expect(hasDigitRun('', 13)).toBe(false);
  });

  it('answers as the plain loop does for any text of digits, separators and breaks', () => {
    const text = fc.string({
      unit: fc.constantFrom('1', '2', ' ', '-', 'a', '/', '9'),
      maxLength: 80,
    });
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 20 }), (s, min) => {
        expect(hasDigitRun(s, min)).toBe(reference(s, min));
      }),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(hasDigitRun(s, 13)).toBe(reference(s, 13));
      }),
    );
  });

  it('leaves maskCards finding the cards it found', () => {
    expect(maskCards('paid with 4111 1111 1111 1111 ok', '[REDACTED]')).toBe(
      'paid with [REDACTED] ok',
    );
    expect(maskCards('GET /x?n=4111111111111111&y=1', '[REDACTED]')).toBe(
      'GET /x?n=[REDACTED]&y=1',
    );
    expect(maskCards('order 1234567890123 epoch', '[REDACTED]')).toBe('order 1234567890123 epoch');
  });
});
