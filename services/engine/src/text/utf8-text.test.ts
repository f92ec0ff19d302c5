/**
 * decodeValidUtf8 must give exactly what V8's decoder gives for valid UTF-8, whatever the size
 * (below the transcoder's threshold, one piece, many pieces with surrogate pairs cut between them).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { representation } from '../testing/representation';
import { decodeValidUtf8 } from './utf8-text';

const units = ['a', ' ', '"', '\\', '\n', 'é', 'ё', 'Ж', 'ω', '東', '😀', '𝄞', '\u00a0', '\u0301'];

describe('decodeValidUtf8', () => {
  it('decodes as toString("utf8") does, at every size around the thresholds', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...units), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 1_400_000 }),
        fc.integer({ min: 0, max: 3 }),
        (alphabet, size, shift) => {
          // A text of about `size` bytes; `shift` ASCII bytes first move the pieces' cuts around.
          const unit = alphabet.join('');
          const text = 'x'.repeat(shift) + unit.repeat(Math.ceil(size / Buffer.byteLength(unit)));
          const bytes = Buffer.from(text);
          const got = decodeValidUtf8(bytes);
          expect(got === bytes.toString('utf8')).toBe(true);
          expect(got).toBe(text);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('cuts no surrogate pair: emoji across every piece boundary of a 2 MB text', () => {
    for (const lead of [0, 1, 2, 3]) {
      const text = 'a'.repeat(lead) + '😀'.repeat(600_000);
      const got = decodeValidUtf8(Buffer.from(text));
      expect(got.length).toBe(text.length);
      expect(got === text).toBe(true);
    }
  });

  it('decodes a range of a buffer, and Cyrillic into a two-byte string, Latin-1 text into a one-byte one', () => {
    const ru = 'Мне снилось, что я летаю над тёмной рекой. '.repeat(2_000);
    const bytes = Buffer.from(`<<${ru}>>`);
    expect(decodeValidUtf8(bytes, 2, bytes.length - 2)).toBe(ru);
    expect(representation(decodeValidUtf8(bytes))).toBe('two-byte');
    const latin = 'Café au lait, naïve façade. '.repeat(2_000);
    expect(decodeValidUtf8(Buffer.from(latin))).toBe(latin);
  });
});
