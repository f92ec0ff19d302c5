import { describe, expect, it } from 'vitest';
import { normalizeWord, tokenize, tokenizeWithOffsets } from './normalize';

describe('normalization and tokens', () => {
  it('lowercases and strips diacritics', () => {
    expect(normalizeWord('Café')).toBe('cafe');
    expect(normalizeWord('ÅNGSTRÖM')).toBe('angstrom');
    expect(normalizeWord('naïve')).toBe('naive');
  });

  it('splits on everything but letters and digits, Unicode-aware', () => {
    expect(tokenize("Ana-Lúcia's 2nd dream: flying!")).toEqual([
      'ana',
      'lucia',
      's',
      '2nd',
      'dream',
      'flying',
    ]);
    expect(tokenize('Добрый день, мир')).toEqual(['добрыи', 'день', 'мир']);
    expect(tokenize('  ')).toEqual([]);
  });

  it('keeps offsets into the original text', () => {
    const spans = tokenizeWithOffsets('Le café, ici');
    expect(spans.map((s) => 'Le café, ici'.slice(s.start, s.end))).toEqual(['Le', 'café', 'ici']);
  });
});
