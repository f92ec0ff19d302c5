/**
 * Every bound the domain enforces, in one place so the app, the key service and the migration
 * agree on them. Character limits count UTF-16 code units (what `String.length` counts); the
 * record-size rule ({@link DEFAULT_RECORD_LIMIT_BYTES}) is the final byte bound on a whole record.
 */
export const LIMITS = {
  /** Titles of dreams, things and stories. */
  titleChars: 200,
  /** Dream description / thing body (plain text). Long entries are still bounded by the record size. */
  longTextChars: 50_000,
  /** One tag, theme, entity or symbol. */
  elementChars: 64,
  /** Tags per entry (also themes, symbols). */
  elementsPerField: 30,
  /** Entities per entry (people, places, objects). */
  entitiesPerEntry: 50,
  /** `mood` free text. */
  moodChars: 64,
  /** Any URL (image, voice note, avatar). */
  urlChars: 2_048,
  /** Images attached to one dream or thing. */
  imagesPerEntry: 20,
  /** Groups one record can be shared with. */
  groupsPerRecord: 20,
  /** Users one record can be shared with directly. */
  directSharesPerRecord: 50,
  /** Display names (profiles, author). */
  displayNameChars: 100,
  /** Group names. */
  groupNameChars: 100,
  /** Group descriptions. */
  groupDescriptionChars: 2_000,
  /** Members of one group (owner included). */
  membersPerGroup: 100,
  /** Groups a single user's search key can cover (one OR-group in the secured filter). */
  groupsPerUser: 100,
  /** Things one story is composed of. */
  thingsPerStory: 200,
  /** A story body (serialized rich-text document), in UTF-8 bytes. */
  storyBodyBytes: 1_000_000,
  /** Chunks one story body may be split into. */
  chunksPerStory: 1_000,
  /** A user or group id (OIDC `sub` is at most 255 ASCII characters). */
  principalIdChars: 255,
  /**
   * Mutation ids kept on each versioned record (`recent_mutation_ids`): a retry of any of the last
   * this-many mutations is recognised as already applied, even after other devices wrote since.
   */
  recentMutationIds: 20,
  /** Recent entries kept on a pattern record. */
  patternRecentEntries: 10,
  /** Co-occurring elements kept on a pattern record. */
  patternCoOccurrences: 24,
} as const;

/** Algolia's record size limit on the entry plan; paid plans allow 100 KB. Configurable per call. */
export const DEFAULT_RECORD_LIMIT_BYTES = 10_000;

/** Upper bound for unix-second timestamps (9999-12-31T23:59:59Z) — rejects milliseconds by mistake. */
export const MAX_UNIX_SECONDS = 253_402_300_799;
