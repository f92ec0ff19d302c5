import { z } from 'zod';
import { PROJECT_NAMESPACE, objectIdSchema, userIdSchema, uuidV5 } from '../ids';
import { LIMITS } from '../limits';
import { unixSecondsSchema } from '../text';
import { userToken, visibleToSchema } from '../visibility';
import { attempt } from './common';

/** Kinds of journal elements patterns are kept for. */
export const PATTERN_KINDS = ['theme', 'entity', 'tag', 'symbol'] as const;
/** Zod schema of {@link PatternKind}. */
export const patternKindSchema = z.enum(PATTERN_KINDS);
/** A kind of journal element. */
export type PatternKind = z.infer<typeof patternKindSchema>;

/**
 * The key a pattern groups by: the element normalized with NFC, whitespace collapsed, trimmed and
 * lowercased, so `Flying`, ` flying ` and `FLYING` are one pattern.
 */
export function normalizePatternValue(value: string): string {
  return value.normalize('NFC').replace(/\s+/gu, ' ').trim().toLowerCase();
}

/** The objectID of a user's pattern record: `uuidv5("pattern:<sub>\n<kind>\n<value>", PROJECT_NAMESPACE)`. */
export function patternObjectId(userId: string, kind: PatternKind, value: string): string {
  return uuidV5(`pattern:${userId}\n${kind}\n${normalizePatternValue(value)}`, PROJECT_NAMESPACE);
}

/** An entry in which the element occurred. */
export const patternEntryRefSchema = z.strictObject({
  objectID: objectIdSchema,
  index: z.enum(['dreams', 'things']),
  /** The entry's `dream_date` / `thing_date`. */
  date: unixSecondsSchema,
});
/** An entry in which the element occurred. */
export type PatternEntryRef = z.infer<typeof patternEntryRefSchema>;

/** Another element that occurred in the same entries, with how many entries they share. */
export const coOccurrenceSchema = z.strictObject({
  kind: patternKindSchema,
  value: z
    .string()
    .min(1)
    .max(LIMITS.elementChars * 3),
  count: z.number().int().min(1),
});
/** Another element that occurred in the same entries. */
export type CoOccurrence = z.infer<typeof coOccurrenceSchema>;

/**
 * A pattern record in the `patterns` index: one per user, element kind and normalized value,
 * derived from the user's non-trashed dreams and things (never written by clients).
 *
 * - `count`: entries containing the element; `first_seen` / `last_seen`: their earliest / latest date.
 * - `recent_entries`: the latest {@link LIMITS.patternRecentEntries} of them (date desc, then objectID desc).
 * - `co_occurrences`: the top {@link LIMITS.patternCoOccurrences} co-occurring elements (count desc,
 *   then kind, then value); `co_occurrences_complete` is false when more were left out.
 */
export const patternSchema = z
  .strictObject({
    objectID: objectIdSchema,
    user_id: userIdSchema,
    visible_to: visibleToSchema,
    kind: patternKindSchema,
    value: z
      .string()
      .min(1)
      .max(LIMITS.elementChars * 3),
    count: z.number().int().min(1),
    first_seen: unixSecondsSchema,
    last_seen: unixSecondsSchema,
    recent_entries: z.array(patternEntryRefSchema).min(1).max(LIMITS.patternRecentEntries),
    co_occurrences: z.array(coOccurrenceSchema).max(LIMITS.patternCoOccurrences),
    co_occurrences_complete: z.boolean(),
  })
  .superRefine((p, ctx) => {
    if (p.objectID !== patternObjectId(p.user_id, p.kind, p.value)) {
      ctx.addIssue({
        code: 'custom',
        path: ['objectID'],
        message: 'must be patternObjectId(user_id, kind, value)',
      });
    }
    const token = attempt(() => userToken(p.user_id));
    if (token && (p.visible_to.length !== 1 || p.visible_to[0] !== token)) {
      ctx.addIssue({ code: 'custom', path: ['visible_to'], message: 'must be the owner only' });
    }
    if (p.first_seen > p.last_seen)
      ctx.addIssue({ code: 'custom', path: ['first_seen'], message: 'must not be after last_seen' });
    if (p.recent_entries.length > p.count)
      ctx.addIssue({ code: 'custom', path: ['recent_entries'], message: 'more than count' });
  });
/** A pattern record. */
export type Pattern = z.infer<typeof patternSchema>;
