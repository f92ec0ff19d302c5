/**
 * Which records a query finds, against a brute-force reference: every record's every token is
 * checked against every query word (terms matched as the dictionary's lookup matches them, which
 * dictionary.test.ts checks against brute-force edit distances). Covers what decides the set of
 * hits — prefixes, typo limits, quoted phrases and exclusions (advancedSyntax),
 * removeWordsIfNoResults, optionalWords, restrictSearchableAttributes and the attribute lists that
 * turn typos and prefixes off — not their order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { search, type QueryContext } from './query';
import { SearchIndex } from './search-index';
import type { SearchParams } from './params';
import { tokenize, tokenizeWithOffsets } from '../text/normalize';
import type { JsonRecord } from './record-path';

const VOCAB = [
  'road',
  'roads',
  'load',
  'lord',
  'lucid',
  'lucia',
  'lucky',
  'dream',
  'dreams',
  'dram',
  'search',
  'serach',
  'engine',
  'engines',
  'night',
  'nights',
  'knight',
  'sea',
  'see',
  'seas',
];
const ATTRS = ['title', 'tags', 'body'] as const;
const ctx: QueryContext = { indexName: 'i', keyFilters: [], isAdmin: true, echo: '' };

type Rec = JsonRecord & { title: string; tags: string[]; body: string };

/** Arbitraries over `vocab`: a small one makes repeated words (and phrases met twice) common. */
function arbitraries(vocab: readonly string[]) {
  const words = (min: number, max: number) =>
    fc.array(fc.constantFrom(...vocab), { minLength: min, maxLength: max }).map((w) => w.join(' '));
  const record = fc.record({
    title: words(0, 4),
    tags: fc.array(words(1, 2), { maxLength: 3 }),
    body: words(0, 8),
  });
  /** A query word: a vocabulary word, cut to a prefix, or with a letter changed or dropped. */
  const queryWord = fc.tuple(fc.constantFrom(...vocab), fc.nat(4), fc.nat(10)).map(([w, op, at]) => {
    const i = at % w.length;
    if (op === 1) return w.slice(0, Math.max(1, i + 1));
    if (op === 2) return w.slice(0, i) + 'x' + w.slice(i + 1);
    if (op === 3) return w.slice(0, i) + w.slice(i + 1) || w;
    return w;
  });
  /**
   * Words, each maybe after a minus, the first two maybe in quotes, then maybe a trailing space.
   */
  const queryText = fc
    .tuple(
      fc.array(fc.tuple(queryWord, fc.nat(5), fc.constantFrom(' ', ' ', '-')), {
        minLength: 1,
        maxLength: 4,
      }),
      fc.constantFrom('none', 'closed', 'open'),
      fc.boolean(),
    )
    .map(([parts, quoteRun, space]) => {
      const out = parts.map(([w, mark]) => (mark === 0 ? `-${w}` : w));
      // Mostly spaces between words, sometimes a hyphen (`search-engine`: no exclusion).
      const joins = parts.map(([, , sep]) => sep);
      // The first two words in quotes, or a quote left open before the last words (typing).
      if (quoteRun === 'closed' && out.length > 1) {
        out[0] = `"${out[0]!.replace(/^-/, '')}`;
        out[1] = `${out[1]!.replace(/^-/, '')}"`;
      } else if (quoteRun === 'open') {
        const at = Math.max(0, out.length - 2);
        out[at] = `"${out[at]!.replace(/^-/, '')}`;
      }
      return out.reduce((q, w, i) => (i === 0 ? w : q + joins[i]! + w), '') + (space ? ' ' : '');
    });
  return { record, queryText };
}

const subset = fc.subarray([...ATTRS]);

describe('the records a query finds', () => {
  it.each([
    ['a vocabulary of near neighbours', VOCAB],
    ['four words (repeated words, phrases met twice)', VOCAB.slice(0, 4)],
  ])('are those a brute-force reference finds: %s', (_, vocab) => {
    const { record, queryText } = arbitraries(vocab);
    fc.assert(
      fc.property(
        fc.array(record, { minLength: 1, maxLength: 10 }),
        queryText,
        fc.record({
          advancedSyntax: fc.boolean(),
          typoTolerance: fc.boolean(),
          queryType: fc.constantFrom('prefixLast', 'prefixAll', 'prefixNone'),
          removeWordsIfNoResults: fc.constantFrom('none', 'lastWords', 'firstWords', 'allOptional'),
          optionalWords: fc.subarray(vocab, { maxLength: 2 }),
          restrict: fc.option(subset, { nil: undefined }),
        }),
        fc.record({ noTypo: subset, noPrefix: subset, exactWords: fc.subarray(vocab, { maxLength: 2 }) }),
        (raw, query, p, s) => {
          const records: Rec[] = raw.map((r, i) => ({ objectID: `r${i}`, ...r }));
          const idx = new SearchIndex({
            searchableAttributes: [...ATTRS],
            disableTypoToleranceOnAttributes: s.noTypo,
            disablePrefixOnAttributes: s.noPrefix,
            disableTypoToleranceOnWords: s.exactWords,
          });
          for (const r of records) idx.upsert(r);
          const params: SearchParams = {
            query,
            hitsPerPage: 1000,
            advancedSyntax: p.advancedSyntax,
            typoTolerance: p.typoTolerance,
            queryType: p.queryType,
            removeWordsIfNoResults: p.removeWordsIfNoResults,
            optionalWords: p.optionalWords,
            ...(p.restrict ? { restrictSearchableAttributes: p.restrict } : {}),
          };
          const res = search(idx, idx.settings, params, ctx);
          const expected = reference(idx, records, query, p, s);
          expect(res.hits.map((h) => h.objectID as string).sort()).toEqual(expected.found.sort());
          if (p.removeWordsIfNoResults === 'lastWords' || p.removeWordsIfNoResults === 'firstWords')
            expect(res.queryAfterRemoval).toBe(expected.afterRemoval);
        },
      ),
      { numRuns: 400 },
    );
  });
});

type Params = {
  advancedSyntax: boolean;
  typoTolerance: boolean;
  queryType: string;
  removeWordsIfNoResults: string;
  optionalWords: string[];
  restrict: string[] | undefined;
};

/** What the documented rules find, token by token. */
function reference(
  idx: SearchIndex,
  records: Rec[],
  query: string,
  p: Params,
  s: { noTypo: string[]; noPrefix: string[]; exactWords: string[] },
): { found: string[]; afterRemoval: string } {
  // The query read by the documented rules: a word inside a pair of double quotes (or after an
  // unclosed one) belongs to a phrase; one right after a minus that starts the query or follows
  // whitespace, outside quotes, is excluded; the last word is a prefix only when it ends the
  // query (nothing after it, not even an excluded word).
  const spans = tokenizeWithOffsets(query).map((t) => {
    const before = query.slice(0, t.start);
    const quotes = p.advancedSyntax ? before.split('"').length - 1 : 0;
    const minus = p.advancedSyntax && quotes % 2 === 0 && (before === '-' || /\s-$/.test(before));
    return { ...t, text: t.norm, phrase: quotes % 2 === 1 ? (quotes - 1) / 2 : -1, minus };
  });
  const qws = spans.filter((t) => !t.minus).slice(0, 32);
  const lastSpan = spans[spans.length - 1];
  const lastIsOpen = lastSpan !== undefined && !lastSpan.minus && lastSpan.end === query.length;
  const optional = new Set(p.optionalWords.flatMap((w) => tokenize(w)));
  const exactWords = new Set(s.exactWords.flatMap((w) => tokenize(w)));
  const dict = idx.dict;
  const specs = qws.map((w, i) => {
    const last = i === qws.length - 1;
    // A phrase's words are whole words, but for the one being typed at the end of an open phrase.
    const typing = last && lastIsOpen && p.queryType !== 'prefixNone';
    const prefix =
      w.phrase < 0 ? p.queryType === 'prefixAll' || (p.queryType === 'prefixLast' && typing) : typing;
    const len = Array.from(w.text).length;
    const maxTypos =
      !p.typoTolerance || w.phrase >= 0 || exactWords.has(w.text) ? 0 : len >= 8 ? 2 : len >= 4 ? 1 : 0;
    const matches = new Map(dict.lookup(w.text, maxTypos, prefix).map((m) => [dict.terms[m.term]!, m]));
    const whole = new Map(dict.lookup(w.text, maxTypos, false).map((m) => [dict.terms[m.term]!, m.typos]));
    return { ...w, matches, whole, optional: optional.has(w.text) };
  });
  const searched = (a: string) =>
    p.restrict === undefined || p.restrict.length === 0 || p.restrict.includes(a);
  /** Each searched value of a record as its tokens, with its attribute. */
  const values = (r: Rec) =>
    ATTRS.filter(searched).flatMap((a) =>
      (a === 'tags' ? r.tags : [r[a]]).map((v) => ({ attr: a, tokens: tokenize(v) })),
    );
  const allows = (wi: number, attr: string, token: string): boolean => {
    const w = specs[wi]!;
    const m = w.matches.get(token);
    if (m === undefined) return false;
    let typos = m.typos;
    if (!m.full && s.noPrefix.includes(attr)) {
      const t = w.whole.get(token);
      if (t === undefined) return false;
      typos = t;
    }
    return !(typos > 0 && s.noTypo.includes(attr));
  };
  const excluded = spans.filter((t) => t.minus).map((t) => t.norm);
  const matchedWords = (r: Rec): Set<number> => {
    const vals = values(r);
    const out = new Set<number>();
    specs.forEach((w, wi) => {
      if (vals.some((v) => v.tokens.some((t) => allows(wi, v.attr, t)))) out.add(wi);
    });
    // A phrase counts where its words stand in a row in one value.
    const phrases = new Map<number, number[]>();
    specs.forEach((w, wi) => {
      if (w.phrase >= 0) phrases.set(w.phrase, [...(phrases.get(w.phrase) ?? []), wi]);
    });
    for (const run of phrases.values()) {
      if (run.length < 2) continue;
      const inRow = vals.some((v) =>
        v.tokens.some((_, at) =>
          run.every((wi, k) => at + k < v.tokens.length && allows(wi, v.attr, v.tokens[at + k]!)),
        ),
      );
      if (!inRow) for (const wi of run) out.delete(wi);
    }
    return out;
  };
  const live = records.filter((r) => !values(r).some((v) => v.tokens.some((t) => excluded.includes(t))));
  const findWith = (opt: boolean[]): string[] => {
    if (specs.length === 0) return live.map((r) => r.objectID);
    return live
      .filter((r) => {
        const m = matchedWords(r);
        return m.size > 0 && specs.every((_, wi) => opt[wi] || m.has(wi));
      })
      .map((r) => r.objectID);
  };
  const base = specs.map((w) => w.optional);
  let found = findWith(base);
  let removed: boolean[] | undefined;
  if (found.length === 0 && live.length > 0 && specs.length > 0) {
    const required = specs.flatMap((w, i) => (w.optional ? [] : [i]));
    const tries: boolean[][] = [];
    if (p.removeWordsIfNoResults === 'allOptional' && specs.length > 1 && required.length > 0)
      tries.push(specs.map(() => true));
    if (p.removeWordsIfNoResults === 'lastWords' || p.removeWordsIfNoResults === 'firstWords')
      for (let k = 1; k <= Math.min(5, required.length - 1); k++) {
        const gone = new Set(
          p.removeWordsIfNoResults === 'lastWords'
            ? required.slice(required.length - k)
            : required.slice(0, k),
        );
        tries.push(specs.map((w, i) => w.optional || gone.has(i)));
      }
    for (const opt of tries) {
      found = findWith(opt);
      if (found.length > 0) {
        removed = opt.map((o, i) => o && !specs[i]!.optional);
        break;
      }
    }
  }
  let afterRemoval = query;
  if (removed) {
    let out = '';
    let at = 0;
    specs.forEach((w, i) => {
      if (!removed[i]) return;
      out += query.slice(at, w.start) + '<em>' + query.slice(w.start, w.end) + '</em>';
      at = w.end;
    });
    afterRemoval = out + query.slice(at);
  }
  return { found, afterRemoval };
}
