import {
  dreamChangesSchema,
  dreamCreateInputSchema,
  dreamSchema,
  thingChangesSchema,
  thingCreateInputSchema,
  thingSchema,
} from './entry';
import { groupChangesSchema, groupCreateInputSchema, groupSchema } from './group';
import { patternSchema } from './pattern';
import { profileChangesSchema, profileCreateInputSchema, profilePublicSchema } from './profile';
import { storyBodyChunkSchema, storyChangesSchema, storyCreateInputSchema, storySchema } from './story';

/**
 * The schemas of each index, for code that routes by index name (the key service's
 * `/v1/records/:index/:id`, the engine's seeding, the migration). `create` / `changes` are what a
 * client may send; `stored` is what the index holds. `patterns` has no client input: it is derived.
 * `stories` also holds body chunks (`storedChunk`), told apart by `record_type`.
 */
export const SCHEMAS_BY_INDEX = {
  dreams: { create: dreamCreateInputSchema, changes: dreamChangesSchema, stored: dreamSchema },
  things: { create: thingCreateInputSchema, changes: thingChangesSchema, stored: thingSchema },
  stories: {
    create: storyCreateInputSchema,
    changes: storyChangesSchema,
    stored: storySchema,
    storedChunk: storyBodyChunkSchema,
  },
  groups: { create: groupCreateInputSchema, changes: groupChangesSchema, stored: groupSchema },
  profiles_public: {
    create: profileCreateInputSchema,
    changes: profileChangesSchema,
    stored: profilePublicSchema,
  },
  patterns: { stored: patternSchema },
} as const;
