import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newObjectId } from '../ids';
import { LIMITS } from '../limits';
import { recordSizeBytes } from '../record-size';
import { isWellFormedUnicode } from '../text';
import { groupToken } from '../visibility';
import {
  applyDreamChanges,
  applyStoryChanges,
  assembleDream,
  assembleStory,
  assembleThing,
  type CreateStamp,
} from './assemble';
import { SERVER_FIELDS, hasAppliedMutation, recordMutationId } from './common';
import {
  dreamChangesSchema,
  dreamCreateInputSchema,
  dreamSchema,
  thingChangesSchema,
  thingCreateInputSchema,
  thingSchema,
} from './entry';
import { groupChangesSchema, groupCreateInputSchema, groupSchema, groupVisibleTo } from './group';
import { patternSchema } from './pattern';
import { patternSourceOfDream, rebuildPatterns } from '../patterns';
import { profileCreateInputSchema, profileObjectId, profilePublicSchema, profileVisibleTo } from './profile';
import {
  buildThingsPreview,
  storyBodyChunkSchema,
  storyChangesSchema,
  storyCreateInputSchema,
  storySchema,
} from './story';

const OWNER = 'auth0|Owner1';
const G1 = '3f1c1d6e-6a47-4a3e-9d0c-5b1a2f3e4d5c';

function stamp(over: Partial<CreateStamp> = {}): CreateStamp {
  return {
    objectID: newObjectId(),
    author: { user_id: OWNER, display_name: 'Owner One', avatar_url: 'https://cdn.example.com/a.png' },
    now: 1_700_000_000,
    mutationId: newObjectId(),
    ...over,
  };
}

function dream() {
  return assembleDream(
    dreamCreateInputSchema.parse({ title: 'Flying', dream_date: 1_699_999_000, tags: ['sky'] }),
    stamp(),
  );
}

describe('create input schemas', () => {
  it('fill defaults and normalize text', () => {
    const parsed = dreamCreateInputSchema.parse({
      title: '  Over\tthe   sea\n ',
      dream_date: 1_700_000_000,
      tags: [' Sky ', 'sky', 'SKY', 'sea'],
      image_urls: ['https://x.example/1.png', 'https://x.example/1.png'],
      group_ids: [G1, G1],
      shared_with_user_ids: ['bob', 'bob'],
    });
    expect(parsed).toEqual({
      title: 'Over the sea',
      description: '',
      tags: ['Sky', 'sea'],
      themes: [],
      entities: [],
      symbols: [],
      mood: null,
      lucidity_level: 0,
      dream_date: 1_700_000_000,
      image_urls: ['https://x.example/1.png'],
      voice_url: null,
      privacy: 'private',
      group_ids: [G1],
      shared_with_user_ids: ['bob'],
    });
  });

  it.each(SERVER_FIELDS)('refuses the server-computed field %s in creates and changes', (field) => {
    const value =
      field === 'author'
        ? { user_id: 'x', display_name: 'x', avatar_url: null }
        : field === 'visible_to'
          ? ['community']
          : 'x';
    const creates = [
      [dreamCreateInputSchema, { title: 't', dream_date: 1 }],
      [thingCreateInputSchema, { title: 't', thing_date: 1 }],
      [storyCreateInputSchema, { title: 't' }],
    ] as const;
    for (const [schema, base] of creates) {
      expect(schema.safeParse(base).success).toBe(true);
      expect(schema.safeParse({ ...base, [field]: value }).success).toBe(false);
    }
    for (const schema of [dreamChangesSchema, thingChangesSchema, storyChangesSchema]) {
      expect(schema.safeParse({ title: 't' }).success).toBe(true);
      expect(schema.safeParse({ title: 't', [field]: value }).success).toBe(false);
    }
  });

  it('refuses wrong types, out-of-range numbers and unsafe URLs', () => {
    const ok = { title: 't', dream_date: 1_700_000_000 };
    const bad: Record<string, unknown>[] = [
      { ...ok, title: 42 },
      { ...ok, title: '' },
      { ...ok, title: '   ' },
      { ...ok, title: 'x'.repeat(LIMITS.titleChars + 1) },
      { ...ok, title: 'a\u0000b' },
      { ...ok, title: 'bad \uD800 surrogate' },
      { ...ok, dream_date: 1_700_000_000_000 }, // milliseconds
      { ...ok, dream_date: -1 },
      { ...ok, dream_date: 1.5 },
      { ...ok, dream_date: '1700000000' },
      { ...ok, lucidity_level: 6 },
      { ...ok, lucidity_level: 2.5 },
      { ...ok, tags: 'sky' },
      { ...ok, tags: Array.from({ length: LIMITS.elementsPerField + 1 }, (_, i) => `t${i}`) },
      { ...ok, tags: ['x'.repeat(LIMITS.elementChars + 1)] },
      { ...ok, image_urls: ['javascript:alert(1)'] },
      { ...ok, image_urls: ['file:///etc/passwd'] },
      { ...ok, voice_url: 'data:audio/ogg;base64,AAAA' },
      { ...ok, voice_url: 'https://user:pass@example.com/v.ogg' },
      { ...ok, voice_url: `https://example.com/${'a'.repeat(LIMITS.urlChars)}` },
      { ...ok, privacy: 'public' },
      { ...ok, group_ids: ['not-a-uuid'] },
      { ...ok, group_ids: [G1.toUpperCase()] },
      { ...ok, shared_with_user_ids: ['has space'] },
      { ...ok, description: 'x'.repeat(LIMITS.longTextChars + 1) },
      { ...ok, extra: 1 },
    ];
    for (const input of bad)
      expect(dreamCreateInputSchema.safeParse(input).success, JSON.stringify(input).slice(0, 120)).toBe(
        false,
      );
    expect(dreamCreateInputSchema.safeParse(ok).success).toBe(true);
    expect(dreamCreateInputSchema.safeParse(null).success).toBe(false);
    expect(dreamCreateInputSchema.safeParse([]).success).toBe(false);
    expect(dreamCreateInputSchema.safeParse('x').success).toBe(false);
  });

  it('accepts arbitrary Unicode text (emoji, combining marks, RTL) in titles and descriptions', () => {
    const parsed = dreamCreateInputSchema.parse({
      title: 'חלום 🌊 e\u0301te 𝔘𝔫𝔦',
      description: 'مرحبا\nline two\t😀',
      dream_date: 1,
    });
    expect(parsed.title).toBe('חלום 🌊 éte 𝔘𝔫𝔦'); // NFC composes e + combining acute
    expect(parsed.description).toBe('مرحبا\nline two\t😀');
  });

  it('never lets __proto__, constructor or prototype through or pollute Object.prototype', () => {
    const hostile = [
      '{"title":"t","dream_date":1,"__proto__":{"polluted":"yes"}}',
      '{"title":"t","dream_date":1,"constructor":{"prototype":{"polluted":"yes"}}}',
      '{"title":"t","dream_date":1,"prototype":{"polluted":"yes"}}',
      '{"title":"t","__proto__":{"dream_date":1}}',
    ];
    for (const json of hostile) {
      const input: unknown = JSON.parse(json);
      expect(dreamCreateInputSchema.safeParse(input).success, json).toBe(false);
      expect(dreamChangesSchema.safeParse(input).success, json).toBe(false);
    }
    const changes: unknown = JSON.parse('{"title":"t","__proto__":{"trashed":true}}');
    expect(dreamChangesSchema.safeParse(changes).success).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('never throws on arbitrary JSON values, and never pollutes prototypes', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        for (const schema of [
          dreamCreateInputSchema,
          thingCreateInputSchema,
          storyCreateInputSchema,
          dreamChangesSchema,
          groupCreateInputSchema,
        ]) {
          schema.safeParse(a);
          schema.safeParse({ title: 't', dream_date: 1, thing_date: 1, extra: b });
        }
      }),
      { numRuns: 200 },
    );
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('requires at least one change and allows moving to the trash', () => {
    expect(dreamChangesSchema.safeParse({}).success).toBe(false);
    expect(dreamChangesSchema.parse({ trashed: true })).toEqual({ trashed: true });
    expect(thingChangesSchema.parse({ body: ' text ' })).toEqual({ body: 'text' });
    expect(groupChangesSchema.safeParse({}).success).toBe(false);
  });
});

describe('stored schemas', () => {
  it('accept what assembly produces and round-trip through JSON', () => {
    const d = dream();
    expect(d.visible_to).toEqual([`user:auth0|^owner1`]);
    expect(dreamSchema.parse(JSON.parse(JSON.stringify(d)))).toEqual(d);
    const t = assembleThing(
      thingCreateInputSchema.parse({
        title: 'x',
        thing_date: 5,
        privacy: 'community',
        shared_with_user_ids: [OWNER, 'bob'],
      }),
      stamp(),
    );
    expect(t.shared_with_user_ids).toEqual(['bob']); // the owner is never in its own share list
    expect(t.visible_to).toEqual(['user:auth0|^owner1', 'user:bob', 'community']);
    expect(thingSchema.parse(t)).toEqual(t);
  });

  it('refuse a forged or stale visible_to and other broken invariants', () => {
    const d = dream();
    expect(dreamSchema.safeParse({ ...d, visible_to: ['community'] }).success).toBe(false);
    expect(dreamSchema.safeParse({ ...d, visible_to: [...d.visible_to, 'community'] }).success).toBe(false);
    expect(dreamSchema.safeParse({ ...d, privacy: 'community' }).success).toBe(false);
    expect(dreamSchema.safeParse({ ...d, author: { ...d.author, user_id: 'someone' } }).success).toBe(false);
    expect(dreamSchema.safeParse({ ...d, updated_at: d.created_at - 1 }).success).toBe(false);
    expect(dreamSchema.safeParse({ ...d, version: 0 }).success).toBe(false);
    expect(dreamSchema.safeParse({ ...d, extra: 1 }).success).toBe(false);
    const { trashed: _, ...withoutTrashed } = d;
    expect(dreamSchema.safeParse(withoutTrashed).success).toBe(false);
  });

  it('recompute the ACL, bump the version and keep the record valid on update', () => {
    const d = dream();
    const m = newObjectId();
    const next = applyDreamChanges(
      d,
      dreamChangesSchema.parse({ privacy: 'group', group_ids: [G1], title: 'New' }),
      { now: d.updated_at + 10, mutationId: m },
    );
    expect(next.version).toBe(2);
    expect(next.last_mutation_id).toBe(m);
    expect(next.updated_at).toBe(d.updated_at + 10);
    expect(next.visible_to).toEqual(['user:auth0|^owner1', 'g_2hl0xmeymtlhl9ra']);
    expect(next.title).toBe('New');
    expect(dreamSchema.parse(next)).toEqual(next);
    // A clock behind the stored record never moves updated_at backwards.
    expect(applyDreamChanges(next, { trashed: true }, { now: 1, mutationId: m }).updated_at).toBe(
      next.updated_at,
    );
  });

  it('keep the last LIMITS.recentMutationIds mutation ids (idempotent retries after another device wrote)', () => {
    const d = dream();
    expect(d.recent_mutation_ids).toEqual([d.last_mutation_id]);
    let r = d;
    const ids = [d.last_mutation_id];
    for (let i = 0; i < LIMITS.recentMutationIds + 5; i++) {
      const m = newObjectId();
      ids.push(m);
      r = applyDreamChanges(r, { title: `v${i}` }, { now: r.updated_at + 1, mutationId: m });
      expect(dreamSchema.parse(r)).toEqual(r);
    }
    expect(r.recent_mutation_ids).toEqual(ids.slice(-LIMITS.recentMutationIds));
    expect(r.recent_mutation_ids?.at(-1)).toBe(r.last_mutation_id);
    expect(hasAppliedMutation(r, ids.at(-1)!)).toBe(true);
    expect(hasAppliedMutation(r, ids.at(-LIMITS.recentMutationIds)!)).toBe(true);
    expect(hasAppliedMutation(r, ids[0]!)).toBe(false);
    // Records written before the list existed: the last mutation id still counts.
    const { recent_mutation_ids: _, ...old } = d;
    expect(dreamSchema.parse(old)).toEqual(old);
    expect(hasAppliedMutation(old, d.last_mutation_id)).toBe(true);
    const m2 = newObjectId();
    expect(recordMutationId(old, m2)).toEqual([d.last_mutation_id, m2]);
    expect(recordMutationId({ last_mutation_id: m2, recent_mutation_ids: [m2] }, m2)).toEqual([m2]);
    // Bounded, unique, UUIDs only.
    expect(
      dreamSchema.safeParse({
        ...r,
        recent_mutation_ids: [...ids.slice(-LIMITS.recentMutationIds), newObjectId()],
      }).success,
    ).toBe(false);
    expect(
      dreamSchema.safeParse({ ...r, recent_mutation_ids: [r.last_mutation_id, r.last_mutation_id] }).success,
    ).toBe(false);
    expect(dreamSchema.safeParse({ ...r, recent_mutation_ids: ['not-a-uuid'] }).success).toBe(false);
    // A client can never send it.
    expect(SERVER_FIELDS).toContain('recent_mutation_ids');
    expect(dreamChangesSchema.safeParse({ recent_mutation_ids: [] }).success).toBe(false);
  });

  it('stories: assembled story and chunks validate; previews keep order and skip unreadable things', () => {
    const things = [
      { objectID: newObjectId(), title: 'A', image_urls: ['https://x.example/a.png'] },
      { objectID: newObjectId(), title: 'B', image_urls: [] },
    ];
    const hidden = newObjectId();
    const ids = [things[1]!.objectID, hidden, things[0]!.objectID];
    const preview = buildThingsPreview(ids, things);
    expect(preview).toEqual([
      { objectID: things[1]!.objectID, title: 'B' },
      { objectID: things[0]!.objectID, title: 'A', image_url: 'https://x.example/a.png' },
    ]);
    const body = JSON.stringify({
      type: 'doc',
      content: [{ type: 'paragraph', content: [{ type: 'text', text: 'x'.repeat(30_000) }] }],
    });
    const input = storyCreateInputSchema.parse({ title: 'S', thing_ids: ids, body, privacy: 'community' });
    const { story, chunks } = assembleStory(input, stamp(), preview);
    expect(storySchema.parse(story)).toEqual(story);
    expect(chunks.length).toBeGreaterThan(3);
    expect(story.body_chunk_count).toBe(chunks.length);
    for (const c of chunks) {
      expect(storyBodyChunkSchema.parse(c)).toEqual(c);
      expect(recordSizeBytes(c)).toBeLessThanOrEqual(10_000);
      expect(c.visible_to).toEqual(story.visible_to);
    }
    expect(
      storySchema.safeParse({ ...story, things_preview: [...story.things_preview].reverse() }).success,
    ).toBe(false);
    expect(storySchema.safeParse({ ...story, story_id: newObjectId() }).success).toBe(false);
    // preview_version: the key service's lock for refreshing previews (absent on older records).
    expect(storySchema.parse({ ...story, preview_version: 3 }).preview_version).toBe(3);
    for (const bad of [-1, 1.5, '2'])
      expect(storySchema.safeParse({ ...story, preview_version: bad }).success).toBe(false);

    const updated = applyStoryChanges(
      story,
      body,
      { privacy: 'private' },
      { now: story.updated_at + 1, mutationId: newObjectId() },
    );
    expect(updated.story.version).toBe(2);
    for (const c of updated.chunks) {
      expect(c.visible_to).toEqual(['user:auth0|^owner1']);
      expect(c.story_version).toBe(2);
    }
  });

  it('stories: the body must be a serialized document within the size limit', () => {
    expect(storyCreateInputSchema.safeParse({ title: 'S', body: 'plain text' }).success).toBe(false);
    expect(storyCreateInputSchema.safeParse({ title: 'S', body: '[1,2]' }).success).toBe(false);
    expect(storyCreateInputSchema.safeParse({ title: 'S', body: '{"type":"doc"' }).success).toBe(false);
    expect(
      storyCreateInputSchema.safeParse({ title: 'S', body: '{"type":"doc","content":[]}' }).success,
    ).toBe(true);
    const huge = JSON.stringify({ type: 'doc', text: 'é'.repeat(LIMITS.storyBodyBytes / 2) });
    expect(storyCreateInputSchema.safeParse({ title: 'S', body: huge }).success).toBe(false);
    expect(storyCreateInputSchema.parse({ title: 'S' }).body).toMatch(/"type":"doc"/);
  });

  it("stories: an escaped unpaired surrogate in a text node is refused (it would reach the chunks' `text`)", () => {
    const doc = (text: string) =>
      JSON.stringify({ type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] });
    // JSON.stringify escapes a lone surrogate as \udXXX, so the raw body itself is well-formed.
    for (const lone of ['\ud800', 'a\udfff', '\ude00\ud83d']) {
      const body = doc(lone);
      expect(isWellFormedUnicode(body)).toBe(true);
      expect(storyCreateInputSchema.safeParse({ title: 'S', body }).success, body).toBe(false);
    }
    // Pairs, escaped or not, and an escaped backslash before "ud800" are fine.
    for (const ok of ['\ud83d\ude00', '😀', 'back\\slash: \\ud800']) {
      const body = doc(ok);
      expect(storyCreateInputSchema.safeParse({ title: 'S', body }).success, body).toBe(true);
    }
    const escapedPair = '{"type":"doc","content":[{"type":"text","text":"\\ud83d\\ude00"}]}';
    expect(storyCreateInputSchema.safeParse({ title: 'S', body: escapedPair }).success).toBe(true);
  });

  it('groups: owner is a member, visible to owner and members', () => {
    const id = newObjectId();
    const g = {
      objectID: id,
      user_id: OWNER,
      owner_id: OWNER,
      name: 'Writers',
      description: '',
      member_user_ids: [OWNER, 'bob'],
      visible_to: groupVisibleTo({ objectID: id, owner_id: OWNER }),
      created_at: 1,
      updated_at: 1,
      version: 1,
      last_mutation_id: newObjectId(),
    };
    expect(groupSchema.parse(g)).toEqual(g);
    expect(g.visible_to).toEqual(['user:auth0|^owner1', groupToken(id)]);
    expect(groupSchema.safeParse({ ...g, member_user_ids: ['bob'] }).success).toBe(false);
    expect(groupSchema.safeParse({ ...g, owner_id: 'bob' }).success).toBe(false);
    expect(groupSchema.safeParse({ ...g, visible_to: ['community'] }).success).toBe(false);
    expect(groupCreateInputSchema.safeParse({ name: 'x', member_user_ids: ['bob'] }).success).toBe(false);
  });

  it('profiles: deterministic objectID per account, community-visible', () => {
    expect(profileObjectId(OWNER)).toBe(profileObjectId(OWNER));
    expect(profileObjectId(OWNER)).not.toBe(profileObjectId('auth0|owner1'));
    const p = {
      objectID: profileObjectId(OWNER),
      user_id: OWNER,
      display_name: 'Owner',
      avatar_url: null,
      visible_to: profileVisibleTo(OWNER),
      created_at: 1,
      updated_at: 1,
      version: 1,
      last_mutation_id: newObjectId(),
    };
    expect(profilePublicSchema.parse(p)).toEqual(p);
    expect(profilePublicSchema.safeParse({ ...p, objectID: newObjectId() }).success).toBe(false);
    expect(profileCreateInputSchema.safeParse({ display_name: 'x', user_id: OWNER }).success).toBe(false);
  });

  it('never throw on a valid record with any field replaced by any JSON value', () => {
    const s = stamp();
    const d = dream();
    const preview = [{ objectID: newObjectId(), title: 'T' }];
    const { story, chunks } = assembleStory(
      storyCreateInputSchema.parse({ title: 'S', thing_ids: [preview[0]!.objectID] }),
      s,
      preview,
    );
    const groupId = newObjectId();
    const group = {
      objectID: groupId,
      user_id: OWNER,
      owner_id: OWNER,
      name: 'G',
      description: '',
      member_user_ids: [OWNER],
      visible_to: groupVisibleTo({ objectID: groupId, owner_id: OWNER }),
      created_at: 1,
      updated_at: 1,
      version: 1,
      last_mutation_id: newObjectId(),
    };
    const profile = {
      objectID: profileObjectId(OWNER),
      user_id: OWNER,
      display_name: 'O',
      avatar_url: null,
      visible_to: profileVisibleTo(OWNER),
      created_at: 1,
      updated_at: 1,
      version: 1,
      last_mutation_id: newObjectId(),
    };
    const pattern = rebuildPatterns([patternSourceOfDream(d)])[0]!;
    const cases = [
      [dreamSchema, d],
      [storySchema, story],
      [storyBodyChunkSchema, chunks[0]!],
      [groupSchema, group],
      [profilePublicSchema, profile],
      [patternSchema, pattern],
    ] as const;
    for (const [schema, valid] of cases) expect(schema.safeParse(valid).success).toBe(true);
    fc.assert(
      fc.property(fc.nat({ max: cases.length - 1 }), fc.nat(), fc.jsonValue(), (which, keyIndex, value) => {
        const [schema, valid] = cases[which]!;
        const keys = Object.keys(valid);
        const key = keys[keyIndex % keys.length]!;
        const mutated = { ...valid, [key]: value };
        const r = schema.safeParse(mutated);
        if (r.success) expect(r.data).toBeTypeOf('object');
      }),
      { numRuns: 500 },
    );
  });
});
