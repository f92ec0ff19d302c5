import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { elementList, httpUrlSchema, multiLineText, singleLineText, unixSecondsSchema } from './text';

describe('httpUrlSchema', () => {
  it('accepts http(s) URLs', () => {
    for (const ok of [
      'https://cdn.example.com/a.png',
      'http://127.0.0.1:7702/media/x.ogg',
      'https://[::1]/x',
      'https://example.com/p?q=1#f',
    ]) {
      expect(httpUrlSchema.parse(ok)).toBe(ok);
    }
    expect(httpUrlSchema.parse('  https://example.com/a  ')).toBe('https://example.com/a');
  });

  it('refuses other schemes, credentials and non-URLs', () => {
    for (const bad of [
      'javascript://example.com/%0aalert(1)',
      'javascript:alert(1)',
      'ftp://example.com/x.png',
      'ws://example.com/',
      'file:///etc/passwd',
      'data:image/png;base64,AAAA',
      'https://user@example.com/',
      'https://:pw@example.com/',
      '//example.com/x',
      '/relative/path',
      'example.com',
      '',
      'https://',
    ]) {
      expect(httpUrlSchema.safeParse(bad).success, bad).toBe(false);
    }
  });
});

describe('text fields', () => {
  const title = singleLineText(10);

  it('normalizes one-line text', () => {
    expect(title.parse('  a \n\t b  ')).toBe('a b');
    expect(title.parse('e\u0301')).toBe('\u00e9');
    expect(title.safeParse('   ').success).toBe(false);
    expect(title.safeParse('x'.repeat(11)).success).toBe(false);
    expect(title.parse(` ${'x'.repeat(10)} `)).toBe('x'.repeat(10));
    expect(title.safeParse('a\u0007b').success).toBe(false);
    expect(title.safeParse('a\u009fb').success).toBe(false);
    expect(title.safeParse('a\uDC00').success).toBe(false);
    expect(title.safeParse(5).success).toBe(false);
  });

  it('keeps multi-line text as typed, minus outer whitespace and controls', () => {
    const body = multiLineText(100);
    expect(body.parse('\n line 1\n\tline 2 \n')).toBe('line 1\n\tline 2');
    expect(body.parse('')).toBe('');
    expect(body.safeParse('a\u0000').success).toBe(false);
    expect(body.safeParse('a\u001bb').success).toBe(false);
    expect(body.safeParse('\uD83D').success).toBe(false);
  });

  it('one-line text never yields control characters, outer spaces or unpaired surrogates', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (s) => {
        const r = singleLineText(200).safeParse(s);
        if (!r.success) return;
        expect(r.data).toBe(r.data.trim());
        expect(/\p{Cc}/u.test(r.data)).toBe(false);
        expect(/[\uD800-\uDFFF]/u.test(r.data)).toBe(false);
        expect(r.data.length).toBeGreaterThan(0);
      }),
    );
  });

  it('dedupes element lists case-insensitively, keeping the first spelling', () => {
    expect(elementList(5).parse(['Sky', ' sky', 'SKY ', 'Sea'])).toEqual(['Sky', 'Sea']);
    expect(elementList(2).safeParse(['a', 'b', 'c']).success).toBe(false);
  });

  it('takes unix seconds only', () => {
    expect(unixSecondsSchema.parse(0)).toBe(0);
    expect(unixSecondsSchema.parse(253_402_300_799)).toBe(253_402_300_799);
    for (const bad of [-1, 1.5, 1_700_000_000_000, Number.NaN, Number.POSITIVE_INFINITY, '1']) {
      expect(unixSecondsSchema.safeParse(bad).success, String(bad)).toBe(false);
    }
  });
});
