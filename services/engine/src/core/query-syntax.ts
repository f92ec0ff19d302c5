/**
 * What a query's text asks for: its words in order, and with `advancedSyntax` its quoted phrases
 * and its excluded words (Algolia's `advancedSyntaxFeatures`: `exactPhrase`, `excludeWords`).
 */
import { tokenizeWithOffsets } from '../text/normalize';

/** Which advanced syntax features a query uses (none without `advancedSyntax`). */
export interface SyntaxFeatures {
  exactPhrase: boolean;
  excludeWords: boolean;
}

export const NO_SYNTAX: SyntaxFeatures = { exactPhrase: false, excludeWords: false };

/** A query word, normalized. */
export interface ParsedWord {
  text: string;
  /** Index of the quoted phrase it belongs to, -1 outside quotes. */
  phrase: number;
  /** Where it stands in the query (UTF-16 offsets). */
  start: number;
  end: number;
}

export interface ParsedQuery {
  words: ParsedWord[];
  /** Normalized words prefixed with `-` (documents containing one are left out). */
  excluded: string[];
  /**
   * The last word is still being typed: it ends the query (no separator, quote or excluded word
   * after it), so `prefixLast` matches it as a prefix.
   */
  lastIsOpen: boolean;
}

const SPACE = /\s/u;

/**
 * Splits `query` into words. With `exactPhrase`, the words between two double quotes are one
 * phrase (an unclosed quote runs to the end of the query); with `excludeWords`, a word right
 * after a `-` that starts the query or follows whitespace, outside quotes, is excluded
 * (`search-engine` excludes nothing, `"-engine"` is the phrase `engine`). A `-` before a quote
 * excludes nothing: the quote opens a phrase as usual.
 */
export function parseQuery(query: string, features: SyntaxFeatures): ParsedQuery {
  const spans = tokenizeWithOffsets(query);
  const words: ParsedWord[] = [];
  const excluded: string[] = [];
  // Offsets of the double quotes, when phrases are on.
  const quotes: number[] = [];
  if (features.exactPhrase)
    for (let i = query.indexOf('"'); i >= 0; i = query.indexOf('"', i + 1)) quotes.push(i);
  let q = 0;
  for (const s of spans) {
    while (q < quotes.length && (quotes[q] ?? Infinity) < s.start) q++;
    // Inside quotes when an odd number of quotes comes before the word.
    if (q % 2 === 1) {
      words.push({ text: s.norm, phrase: (q - 1) / 2, start: s.start, end: s.end });
      continue;
    }
    const minus = s.start - 1;
    if (
      features.excludeWords &&
      minus >= 0 &&
      query[minus] === '-' &&
      (minus === 0 || SPACE.test(query.charAt(minus - 1)))
    ) {
      excluded.push(s.norm);
      continue;
    }
    words.push({ text: s.norm, phrase: -1, start: s.start, end: s.end });
  }
  const last = words[words.length - 1];
  return {
    words,
    excluded,
    lastIsOpen: last !== undefined && last.end === query.length,
  };
}
