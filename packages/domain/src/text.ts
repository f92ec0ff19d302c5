import { z } from 'zod';
import { LIMITS, MAX_UNIX_SECONDS } from './limits';

/** Unpaired UTF-16 surrogates (with the `u` flag a valid pair is one code point and never matches). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
/** C0/C1 control characters and DEL — never legitimate in a one-line field. */
const CONTROL = /\p{Cc}/u;
/** Controls other than tab, line feed and carriage return — never legitimate in multi-line text. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_EXCEPT_WHITESPACE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;

/** True when `s` has no unpaired surrogate (it can be encoded to UTF-8 without loss). */
export function isWellFormedUnicode(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

/**
 * A one-line, user-visible text: trimmed, NFC-normalized, inner whitespace runs collapsed to one
 * space, no control characters, no unpaired surrogates, 1..max characters (after trimming).
 */
export function singleLineText(max: number) {
  return z
    .string()
    .refine(isWellFormedUnicode, 'must be valid Unicode (no unpaired surrogates)')
    .transform((s) => s.normalize('NFC').replace(/\s+/gu, ' ').trim())
    .pipe(
      z
        .string()
        .min(1, 'must not be empty')
        .max(max, `must be at most ${max} characters`)
        .refine((s) => !CONTROL.test(s), 'must not contain control characters'),
    );
}

/**
 * Multi-line user text (descriptions, bodies): kept as typed except trailing/leading whitespace is
 * trimmed; may be empty; no control characters other than tab and newlines; no unpaired surrogates.
 */
export function multiLineText(max: number) {
  return z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .refine(isWellFormedUnicode, 'must be valid Unicode (no unpaired surrogates)')
    .refine((s) => !CONTROL_EXCEPT_WHITESPACE.test(s), 'must not contain control characters');
}

/**
 * An absolute `http:` or `https:` URL without embedded credentials, at most
 * {@link LIMITS.urlChars} characters. Other schemes (`javascript:`, `file:`, `data:`) are refused.
 */
export const httpUrlSchema = z
  .string()
  .trim()
  .max(LIMITS.urlChars)
  .refine((s) => {
    if (!URL.canParse(s)) return false;
    const u = new URL(s);
    return (
      (u.protocol === 'http:' || u.protocol === 'https:') &&
      u.username === '' &&
      u.password === '' &&
      u.hostname !== ''
    );
  }, 'must be an http(s) URL without credentials');

/** Unix time in whole seconds (not milliseconds), 0 .. 9999-12-31. */
export const unixSecondsSchema = z
  .number()
  .int('must be whole seconds')
  .min(0)
  .max(MAX_UNIX_SECONDS, 'must be unix seconds, not milliseconds');

/**
 * A list of one-line values (tags, themes, …): each value normalized like {@link singleLineText},
 * duplicates removed case-insensitively keeping the first spelling, at most `maxItems` values.
 */
export function elementList(maxItems: number) {
  return z
    .array(singleLineText(LIMITS.elementChars))
    .max(maxItems, `must have at most ${maxItems} values`)
    .transform(dedupeCaseInsensitive);
}

function dedupeCaseInsensitive(values: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const v of values) {
    const key = v.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(v);
  }
  return out;
}
