import { z } from 'zod';
import { LIMITS } from '../limits';
import { objectIdSchema } from '../ids';
import { utf8ByteLength } from '../utf8';
import { httpUrlSchema, isWellFormedUnicode, singleLineText } from '../text';
import {
  checkStoredContentInvariants,
  dedupe,
  inputSharingShape,
  isUnique,
  storedContentBaseShape,
  updateSharingShape,
} from './common';

const title = singleLineText(LIMITS.titleChars);

/** One denormalized thing shown on a story card: its id, title and first image. */
export const thingPreviewSchema = z.strictObject({
  objectID: objectIdSchema,
  title,
  image_url: httpUrlSchema.optional(),
});
/** One denormalized thing shown on a story card. */
export type ThingPreview = z.infer<typeof thingPreviewSchema>;

const thingIdsStored = z
  .array(objectIdSchema)
  .max(LIMITS.thingsPerStory)
  .refine(isUnique, 'must not repeat a thing');
const thingIdsInput = z.array(objectIdSchema).max(LIMITS.thingsPerStory).transform(dedupe);

/** Discriminates the two record kinds that live in the `stories` index. */
export const STORY_RECORD_TYPES = ['story', 'story_body_chunk'] as const;

/**
 * A story's main record in the `stories` index. Its rich-text body lives in
 * {@link StoryBodyChunk} records of the same index (`story_id` links them; searches use
 * `distinct` on `story_id` so a story appears once). `story_id` equals `objectID` here so the main
 * record and its chunks share one distinct group.
 */
export const storySchema = z
  .strictObject({
    ...storedContentBaseShape,
    record_type: z.literal('story'),
    story_id: objectIdSchema,
    title,
    /** The things the story is composed of, in reading order. */
    thing_ids: thingIdsStored,
    /** Titles and first images of `thing_ids` (the readable ones), in the same order; computed by the key service. */
    things_preview: z.array(thingPreviewSchema).max(LIMITS.thingsPerStory),
    /** How many body chunk records the current version has (at least 1). */
    body_chunk_count: z.number().int().min(1).max(LIMITS.chunksPerStory),
    /**
     * Bumped by every write of the story and by every refresh of `things_preview`: the key service
     * refreshes previews when a thing changes with `IncrementFrom` on it, so a refresh never lands
     * over a newer write and never moves `version` (the owner's edits don't conflict). Absent on
     * stories written before it existed (read as 0).
     */
    preview_version: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  })
  .superRefine((story, ctx) => {
    checkStoredContentInvariants(story, ctx);
    if (story.story_id !== story.objectID) {
      ctx.addIssue({ code: 'custom', path: ['story_id'], message: 'must equal objectID' });
    }
    let at = 0;
    for (const p of story.things_preview) {
      const i = story.thing_ids.indexOf(p.objectID, at);
      if (i < 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['things_preview'],
          message: 'must list things of thing_ids, in order, once each',
        });
        break;
      }
      at = i + 1;
    }
  });
/** A story's main record. */
export type Story = z.infer<typeof storySchema>;

/**
 * One piece of a story's body, a record of the `stories` index. It repeats the story's ACL fields
 * (so the secured key's filter and the trash filter apply to it), its title and author (so a hit on a
 * chunk renders like a story hit), a searchable plain-text extract (`text`) and the lossless slice
 * of the serialized body (`body_part`). `story_version` ties it to the story version it was cut from.
 */
export const storyBodyChunkSchema = z
  .strictObject({
    objectID: objectIdSchema,
    record_type: z.literal('story_body_chunk'),
    story_id: objectIdSchema,
    story_version: storedContentBaseShape.version,
    chunk_index: z
      .number()
      .int()
      .min(0)
      .max(LIMITS.chunksPerStory - 1),
    chunk_count: z.number().int().min(1).max(LIMITS.chunksPerStory),
    user_id: storedContentBaseShape.user_id,
    author: storedContentBaseShape.author,
    privacy: storedContentBaseShape.privacy,
    group_ids: storedContentBaseShape.group_ids,
    shared_with_user_ids: storedContentBaseShape.shared_with_user_ids,
    visible_to: storedContentBaseShape.visible_to,
    created_at: storedContentBaseShape.created_at,
    updated_at: storedContentBaseShape.updated_at,
    trashed: storedContentBaseShape.trashed,
    title,
    /** Plain text of the part, for search. */
    text: z.string().max(LIMITS.storyBodyBytes),
    /** The exact slice of the serialized body. */
    body_part: z.string().max(LIMITS.storyBodyBytes),
  })
  .superRefine((chunk, ctx) => {
    checkStoredContentInvariants(chunk, ctx);
    if (chunk.chunk_index >= chunk.chunk_count) {
      ctx.addIssue({ code: 'custom', path: ['chunk_index'], message: 'must be less than chunk_count' });
    }
  });
/** One piece of a story's body. */
export type StoryBodyChunk = z.infer<typeof storyBodyChunkSchema>;

/**
 * A story body as a client sends it: a serialized rich-text (Tiptap/ProseMirror) document —
 * JSON of an object whose `type` is `"doc"` — at most {@link LIMITS.storyBodyBytes} UTF-8 bytes.
 */
export const storyBodyInputSchema = z
  .string()
  .refine((s) => s.length <= LIMITS.storyBodyBytes && utf8ByteLength(s) <= LIMITS.storyBodyBytes, {
    error: `must be at most ${LIMITS.storyBodyBytes} bytes`,
    abort: true,
  })
  .refine(isWellFormedUnicode, { error: 'must be valid Unicode', abort: true })
  .refine(isRichTextDocument, {
    error: 'must be a serialized rich-text document ({"type":"doc",…})',
    abort: true,
  })
  .refine(hasWellFormedStrings, 'must be valid Unicode (no escaped unpaired surrogates)');

/**
 * True when no string of the JSON document (key or value) holds an unpaired surrogate. The raw
 * body can be well-formed while an escape (`"\ud800"`) decodes to one; text nodes are copied
 * decoded into the chunks' searchable `text`, which must stay valid Unicode.
 */
function hasWellFormedStrings(body: string): boolean {
  let ok = true;
  JSON.parse(body, (key, value: unknown) => {
    if (!isWellFormedUnicode(key) || (typeof value === 'string' && !isWellFormedUnicode(value))) ok = false;
    return value;
  });
  return ok;
}

/** True when `body` is JSON of an object with `type: "doc"`. */
export function isRichTextDocument(body: string): boolean {
  try {
    const doc: unknown = JSON.parse(body);
    return (
      typeof doc === 'object' &&
      doc !== null &&
      !Array.isArray(doc) &&
      (doc as { type?: unknown }).type === 'doc'
    );
  } catch {
    return false;
  }
}

/** The serialized empty document, the body of a story created without one. */
export const EMPTY_STORY_BODY = '{"type":"doc","content":[{"type":"paragraph"}]}';

/** What a client sends to create a story. `things_preview` is computed by the key service. */
export const storyCreateInputSchema = z.strictObject({
  title,
  thing_ids: thingIdsInput.default([]),
  body: storyBodyInputSchema.default(EMPTY_STORY_BODY),
  ...inputSharingShape,
});
/** A story create request as sent. */
export type StoryCreateInput = z.input<typeof storyCreateInputSchema>;
/** A story create request after validation. */
export type StoryCreate = z.output<typeof storyCreateInputSchema>;

/** The `changes` of a story update. */
export const storyChangesSchema = z
  .strictObject({
    title: title.optional(),
    thing_ids: thingIdsInput.optional(),
    body: storyBodyInputSchema.optional(),
    ...updateSharingShape,
    trashed: z.boolean().optional(),
  })
  .refine((c) => Object.values(c).some((v) => v !== undefined), 'changes must not be empty');
/** Story update changes as sent. */
export type StoryChangesInput = z.input<typeof storyChangesSchema>;
/** Story update changes after validation. */
export type StoryChanges = z.output<typeof storyChangesSchema>;

/**
 * The `things_preview` of a story from its `thing_ids` and the things the writer can read (others
 * are left out, so a story never leaks a thing its reader may not see through the preview). Keeps
 * the order of `thingIds`.
 */
export function buildThingsPreview(
  thingIds: readonly string[],
  things: ReadonlyArray<{ objectID: string; title: string; image_urls: readonly string[] }>,
): ThingPreview[] {
  const byId = new Map(things.map((t) => [t.objectID, t]));
  const out: ThingPreview[] = [];
  for (const id of thingIds) {
    const t = byId.get(id);
    if (!t) continue;
    const first = t.image_urls[0];
    out.push(
      first === undefined
        ? { objectID: id, title: t.title }
        : { objectID: id, title: t.title, image_url: first },
    );
  }
  return out;
}
