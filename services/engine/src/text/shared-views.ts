import { ownCopy } from './own-copy';

/**
 * `texts` copied into one new string, returned as views (slices) of it: one allocation instead
 * of one per text, and none of them keeps alive whatever string it was cut from. Undefined stays
 * undefined.
 */
export function sharedViews(texts: readonly (string | undefined)[]): (string | undefined)[] {
  const given = texts.filter((t): t is string => t !== undefined && t !== '');
  // join() of a single text is that text itself (still a slice of its source): copied instead.
  const shared = given.length === 1 ? ownCopy(given[0] ?? '') : given.join('');
  const views: (string | undefined)[] = [];
  let at = 0;
  for (const t of texts) {
    views.push(t === undefined ? undefined : shared.slice(at, at + t.length));
    at += t?.length ?? 0;
  }
  return views;
}
