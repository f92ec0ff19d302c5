import { z } from 'zod';
import { LIMITS } from '../limits';
import { elementList, httpUrlSchema, multiLineText, singleLineText, unixSecondsSchema } from '../text';
import {
  checkStoredContentInvariants,
  inputSharingShape,
  isUnique,
  storedContentBaseShape,
  updateSharingShape,
} from './common';

/**
 * Dreams and things share one shape; they differ in the name of the text field (`description` /
 * `body`) and of the date field (`dream_date` / `thing_date`), and dreams have a lucidity level.
 */

const imageUrlsStored = z
  .array(httpUrlSchema)
  .max(LIMITS.imagesPerEntry)
  .refine(isUnique, 'must not repeat an image');
const imageUrlsInput = z
  .array(httpUrlSchema)
  .max(LIMITS.imagesPerEntry)
  .transform((urls) => [...new Set(urls)]);

/** The elements patterns are built from, common to dreams and things. */
const elementsStoredShape = {
  tags: elementList(LIMITS.elementsPerField),
  themes: elementList(LIMITS.elementsPerField),
  entities: elementList(LIMITS.entitiesPerEntry),
  symbols: elementList(LIMITS.elementsPerField),
};

const title = singleLineText(LIMITS.titleChars);
const longText = multiLineText(LIMITS.longTextChars);
const mood = singleLineText(LIMITS.moodChars).nullable();
/** How lucid a dream was: 0 (not at all) to 5 (fully lucid). */
export const lucidityLevelSchema = z.number().int().min(0).max(5);

/** Content fields of a dream as stored. */
const dreamContentStored = {
  title,
  description: longText,
  ...elementsStoredShape,
  mood,
  lucidity_level: lucidityLevelSchema,
  /** When the dream happened (unix seconds), for timelines and range filters. */
  dream_date: unixSecondsSchema,
  image_urls: imageUrlsStored,
  voice_url: httpUrlSchema.nullable(),
};

/** Content fields of a thing (a journal entry) as stored. */
const thingContentStored = {
  title,
  body: longText,
  ...elementsStoredShape,
  mood,
  /** When the entry is about (unix seconds), for timelines and range filters. */
  thing_date: unixSecondsSchema,
  image_urls: imageUrlsStored,
  voice_url: httpUrlSchema.nullable(),
};

/** A dream record in the `dreams` index. */
export const dreamSchema = z
  .strictObject({ ...storedContentBaseShape, ...dreamContentStored })
  .superRefine(checkStoredContentInvariants);
/** A dream record in the `dreams` index. */
export type Dream = z.infer<typeof dreamSchema>;

/** A thing (journal entry) record in the `things` index. */
export const thingSchema = z
  .strictObject({ ...storedContentBaseShape, ...thingContentStored })
  .superRefine(checkStoredContentInvariants);
/** A thing (journal entry) record in the `things` index. */
export type Thing = z.infer<typeof thingSchema>;

const elementsInputShape = {
  tags: elementList(LIMITS.elementsPerField).default([]),
  themes: elementList(LIMITS.elementsPerField).default([]),
  entities: elementList(LIMITS.entitiesPerEntry).default([]),
  symbols: elementList(LIMITS.elementsPerField).default([]),
};

/**
 * What a client sends to create a dream (`PUT /v1/records/dreams/:id` `record`). Omitted optional
 * fields get their defaults; server-computed fields are refused as unknown keys.
 */
export const dreamCreateInputSchema = z.strictObject({
  title,
  description: longText.default(''),
  ...elementsInputShape,
  mood: mood.default(null),
  lucidity_level: lucidityLevelSchema.default(0),
  dream_date: unixSecondsSchema,
  image_urls: imageUrlsInput.default([]),
  voice_url: httpUrlSchema.nullable().default(null),
  ...inputSharingShape,
});
/** A dream create request as sent. */
export type DreamCreateInput = z.input<typeof dreamCreateInputSchema>;
/** A dream create request after validation (defaults filled in). */
export type DreamCreate = z.output<typeof dreamCreateInputSchema>;

/** What a client sends to create a thing. */
export const thingCreateInputSchema = z.strictObject({
  title,
  body: longText.default(''),
  ...elementsInputShape,
  mood: mood.default(null),
  thing_date: unixSecondsSchema,
  image_urls: imageUrlsInput.default([]),
  voice_url: httpUrlSchema.nullable().default(null),
  ...inputSharingShape,
});
/** A thing create request as sent. */
export type ThingCreateInput = z.input<typeof thingCreateInputSchema>;
/** A thing create request after validation. */
export type ThingCreate = z.output<typeof thingCreateInputSchema>;

function nonEmpty(changes: Record<string, unknown>): boolean {
  return Object.values(changes).some((v) => v !== undefined);
}

/**
 * The `changes` of a dream update (`PATCH … {changes, baseVersion, mutationId}`): any subset of the
 * client-editable fields, at least one; `trashed` moves the dream to or from the trash.
 */
export const dreamChangesSchema = z
  .strictObject({
    title: title.optional(),
    description: longText.optional(),
    tags: elementList(LIMITS.elementsPerField).optional(),
    themes: elementList(LIMITS.elementsPerField).optional(),
    entities: elementList(LIMITS.entitiesPerEntry).optional(),
    symbols: elementList(LIMITS.elementsPerField).optional(),
    mood: mood.optional(),
    lucidity_level: lucidityLevelSchema.optional(),
    dream_date: unixSecondsSchema.optional(),
    image_urls: imageUrlsInput.optional(),
    voice_url: httpUrlSchema.nullable().optional(),
    ...updateSharingShape,
    trashed: z.boolean().optional(),
  })
  .refine(nonEmpty, 'changes must not be empty');
/** Dream update changes as sent. */
export type DreamChangesInput = z.input<typeof dreamChangesSchema>;
/** Dream update changes after validation. */
export type DreamChanges = z.output<typeof dreamChangesSchema>;

/** The `changes` of a thing update. */
export const thingChangesSchema = z
  .strictObject({
    title: title.optional(),
    body: longText.optional(),
    tags: elementList(LIMITS.elementsPerField).optional(),
    themes: elementList(LIMITS.elementsPerField).optional(),
    entities: elementList(LIMITS.entitiesPerEntry).optional(),
    symbols: elementList(LIMITS.elementsPerField).optional(),
    mood: mood.optional(),
    thing_date: unixSecondsSchema.optional(),
    image_urls: imageUrlsInput.optional(),
    voice_url: httpUrlSchema.nullable().optional(),
    ...updateSharingShape,
    trashed: z.boolean().optional(),
  })
  .refine(nonEmpty, 'changes must not be empty');
/** Thing update changes as sent. */
export type ThingChangesInput = z.input<typeof thingChangesSchema>;
/** Thing update changes after validation. */
export type ThingChanges = z.output<typeof thingChangesSchema>;
