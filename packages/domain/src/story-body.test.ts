import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newObjectId } from './ids';
import { LIMITS } from './limits';
import { recordSizeBytes } from './record-size';
import { storyBodyChunkSchema } from './records/story';
import {
  StoryBodyError,
  jsonStringContentBytes,
  joinStoryBody,
  splitStoryBody,
  storyBodyPlainText,
  storyChunkObjectId,
  type StoryChunkSource,
} from './story-body';
import { utf8ByteLength } from './utf8';
import { computeVisibleTo } from './visibility';

function story(over: Partial<StoryChunkSource> = {}): StoryChunkSource {
  const base = {
    objectID: newObjectId(),
    version: 7,
    user_id: 'auth0|Writer',
    author: {
      user_id: 'auth0|Writer',
      display_name: 'Writer ✍️',
      avatar_url: 'https://cdn.example.com/w.png',
    },
    privacy: 'group' as const,
    group_ids: [newObjectId(), newObjectId()],
    shared_with_user_ids: ['friend|1'],
    visible_to: [] as string[],
    created_at: 1_700_000_000,
    updated_at: 1_700_000_100,
    trashed: false,
    title: 'A story — with “quotes” and 😀',
    ...over,
  };
  return { ...base, visible_to: computeVisibleTo(base) };
}

/** Characters that stress every path: escapes, controls, multi-byte, astral, combining, RTL, lone surrogates. */
const hostileChar = fc.oneof(
  fc.constantFrom(
    '"',
    '\\',
    '\n',
    '\t',
    '\u0000',
    '\u001f',
    '\u2028',
    '\u2029',
    '\u007f',
    'é',
    'e\u0301',
    'ש',
    'ع',
    '\u202e',
    '😀',
    '👩‍👩‍👧',
    '𝔘',
    '\uFEFF',
    '\uD800',
    '\uDFFF',
    'a',
    ' ',
  ),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const hostileString = (maxLength: number) => fc.string({ unit: hostileChar, maxLength });

/** A random Tiptap-like document. */
const docArb = fc
  .array(
    fc.record({
      type: fc.constantFrom('paragraph', 'heading', 'blockquote'),
      content: fc.array(
        fc.oneof(
          fc.record({ type: fc.constant('text'), text: hostileString(80).filter((s) => s.length > 0) }),
          fc.record({
            type: fc.constant('text'),
            marks: fc.constant([{ type: 'bold' }]),
            text: hostileString(20).filter((s) => s.length > 0),
          }),
          fc.constant({ type: 'hardBreak' }),
        ),
        { maxLength: 6 },
      ),
    }),
    { maxLength: 12 },
  )
  .map((content) => JSON.stringify({ type: 'doc', content }));

function assertChunksValid(s: StoryChunkSource, body: string, limit: number) {
  const chunks = splitStoryBody(s, body, limit);
  expect(chunks.length).toBeGreaterThanOrEqual(1);
  chunks.forEach((c, i) => {
    expect(recordSizeBytes(c)).toBeLessThanOrEqual(limit);
    expect(c.chunk_index).toBe(i);
    expect(c.chunk_count).toBe(chunks.length);
    expect(c.objectID).toBe(storyChunkObjectId(s.objectID, i));
    expect(c.story_version).toBe(s.version);
    expect(c.visible_to).toEqual(s.visible_to);
    // Never cut inside a surrogate pair.
    const part = c.body_part;
    if (i > 0 && part.length > 0) {
      const prevPart = chunks[i - 1]!.body_part;
      const last = prevPart.charCodeAt(prevPart.length - 1);
      const first = part.charCodeAt(0);
      expect(last >= 0xd800 && last <= 0xdbff && first >= 0xdc00 && first <= 0xdfff).toBe(false);
    }
    if (i < chunks.length - 1) expect(part.length).toBeGreaterThan(0);
  });
  // Lossless, in any order.
  expect(joinStoryBody(chunks)).toBe(body);
  expect(joinStoryBody([...chunks].reverse())).toBe(body);
  return chunks;
}

describe('splitStoryBody / joinStoryBody', () => {
  it('round-trips arbitrary strings (plain bodies) for arbitrary limits, every chunk under the limit', () => {
    fc.assert(
      fc.property(hostileString(3000), fc.integer({ min: 1600, max: 6000 }), (body, limit) => {
        const chunks = assertChunksValid(story(), body, limit);
        // A body that is not a document is its own search text.
        expect(chunks.map((c) => c.text).join('')).toBe(body);
      }),
      { numRuns: 150 },
    );
  });

  it('round-trips serialized documents and extracts their text', () => {
    fc.assert(
      fc.property(docArb, fc.integer({ min: 1500, max: 4000 }), (body, limit) => {
        const chunks = assertChunksValid(story(), body, limit);
        const noSpace = (s: string) => s.replace(/ /g, '');
        // Chunk texts are the document's text nodes, in order (run separators may fall at chunk edges).
        expect(noSpace(chunks.map((c) => c.text).join(''))).toBe(noSpace(storyBodyPlainText(body)));
        expect(chunks.some((c) => c.text.includes('"type"'))).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('fills chunks to the byte: sizes near the limit, exact cut points', () => {
    const s = story();
    // Find the smallest limit that leaves the minimum payload; budget there is exactly 64 bytes.
    let smallest = 0;
    for (let limit = 100; limit < 3000; limit++) {
      try {
        splitStoryBody(s, '', limit);
        smallest = limit;
        break;
      } catch (e) {
        expect(e).toBeInstanceOf(StoryBodyError);
        expect((e as StoryBodyError).code).toBe('limit_too_small');
      }
    }
    expect(smallest).toBeGreaterThan(0);
    // Plain body: each ASCII character costs 2 bytes (body part + text) → 32 per chunk.
    const chunks = splitStoryBody(s, 'a'.repeat(100), smallest);
    expect(chunks.map((c) => c.body_part.length)).toEqual([32, 32, 32, 4]);
    // A quote costs 2 + 2 bytes → 16 per chunk.
    expect(splitStoryBody(s, '"'.repeat(40), smallest).map((c) => c.body_part.length)).toEqual([16, 16, 8]);
    // A 4-byte emoji costs 8 → 8 per chunk, and pairs stay whole.
    expect(splitStoryBody(s, '😀'.repeat(20), smallest).map((c) => c.body_part)).toEqual([
      '😀'.repeat(8),
      '😀'.repeat(8),
      '😀'.repeat(4),
    ]);
    // Lone surrogates are escaped by JSON (6 bytes each side).
    expect(splitStoryBody(s, '\uD800'.repeat(11), smallest).map((c) => c.body_part.length)).toEqual([
      5, 5, 1,
    ]);
    for (const c of chunks) expect(recordSizeBytes(c)).toBeLessThanOrEqual(smallest);
    expect(recordSizeBytes(chunks[0]!)).toBeGreaterThan(smallest - 8);
  });

  it('extracts document text exactly: runs per container, escapes decoded, structure dropped', () => {
    const body = JSON.stringify({
      type: 'doc',
      content: [
        {
          type: 'heading',
          attrs: { level: 1, text: 'attr' },
          content: [{ type: 'text', text: 'Title "one"' }],
        },
        {
          type: 'paragraph',
          content: [
            { type: 'text', text: 'Hel' },
            { type: 'text', marks: [{ type: 'bold' }], text: 'lo\n' },
            { type: 'text', text: 'wörld 😀' },
          ],
        },
        { type: 'paragraph' },
        { type: 'paragraph', content: [{ type: 'text', text: 'Bye' }] },
      ],
    });
    expect(storyBodyPlainText(body)).toBe('Title "one" Hello\nwörld 😀 Bye');
    const [only] = splitStoryBody(story(), body);
    expect(only!.text).toBe('Title "one" Hello\nwörld 😀 Bye');
    expect(only!.body_part).toBe(body);
    // JSON written with \u escapes (including an escaped surrogate pair) decodes to the same text.
    const escaped =
      '{"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"\\u00e9\\ud83d\\ude00\\""}]}]}';
    expect(storyBodyPlainText(escaped)).toBe('é😀"');
    expect(joinStoryBody(splitStoryBody(story(), escaped, 1500))).toBe(escaped);
  });

  it('produces records that pass the stored chunk schema', () => {
    const body = JSON.stringify({
      type: 'doc',
      content: [{ type: 'paragraph', content: [{ type: 'text', text: 'word '.repeat(5000) }] }],
    });
    for (const c of splitStoryBody(story(), body)) expect(storyBodyChunkSchema.parse(c)).toEqual(c);
  });

  it('gives one empty chunk for an empty body', () => {
    const chunks = splitStoryBody(story(), '');
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toMatchObject({ chunk_index: 0, chunk_count: 1, body_part: '', text: '' });
    expect(joinStoryBody(chunks)).toBe('');
  });

  it('handles a maximum-size body within the chunk limit', () => {
    const body = JSON.stringify({
      type: 'doc',
      content: [
        { type: 'paragraph', content: [{ type: 'text', text: 'x'.repeat(LIMITS.storyBodyBytes - 100) }] },
      ],
    });
    const chunks = splitStoryBody(story(), body, 10_000);
    expect(chunks.length).toBeLessThanOrEqual(LIMITS.chunksPerStory);
    expect(joinStoryBody(chunks)).toBe(body);
    expect(() => splitStoryBody(story(), body, 1_700)).toThrow(
      expect.objectContaining({ code: 'too_many_chunks' }),
    );
  });

  it('refuses limits too small for the chunk metadata', () => {
    const big = story({
      shared_with_user_ids: Array.from({ length: 50 }, (_, i) => `user-with-a-long-id-${i}`),
    });
    expect(() => splitStoryBody(big, 'x', 2_000)).toThrow(
      expect.objectContaining({ name: 'StoryBodyError', code: 'limit_too_small' }),
    );
  });

  it('reports missing, duplicate, mismatched and mixed chunks clearly', () => {
    const s = story();
    const chunks = splitStoryBody(s, 'x'.repeat(5000), 2000);
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(StoryBodyError);
        return (e as StoryBodyError).code;
      }
      return 'no error';
    };
    expect(code(() => joinStoryBody([]))).toBe('no_chunks');
    expect(code(() => joinStoryBody(chunks.slice(1)))).toBe('missing_chunk');
    expect(code(() => joinStoryBody(chunks.slice(0, -1)))).toBe('missing_chunk');
    expect(code(() => joinStoryBody([...chunks, chunks[1]!]))).toBe('duplicate_chunk');
    expect(
      code(() =>
        joinStoryBody([...chunks.slice(0, -1), { ...chunks.at(-1)!, chunk_count: chunks.length + 1 }]),
      ),
    ).toBe('count_mismatch');
    expect(code(() => joinStoryBody([...chunks.slice(0, -1), { ...chunks.at(-1)!, story_version: 8 }]))).toBe(
      'mixed_versions',
    );
    expect(
      code(() => joinStoryBody([...chunks.slice(0, -1), { ...chunks.at(-1)!, story_id: newObjectId() }])),
    ).toBe('mixed_stories');
    expect(code(() => joinStoryBody([{ ...chunks[0]!, chunk_index: 99 }]))).toBe('count_mismatch');
  });

  it('derives stable chunk ids from the story id and index', () => {
    const id = newObjectId();
    expect(storyChunkObjectId(id, 3)).toBe(storyChunkObjectId(id, 3));
    expect(storyChunkObjectId(id, 3)).not.toBe(storyChunkObjectId(id, 4));
    expect(storyChunkObjectId(id, 3)).not.toBe(storyChunkObjectId(newObjectId(), 3));
    expect(() => storyChunkObjectId(id, LIMITS.chunksPerStory)).toThrow(RangeError);
  });

  it('measures JSON string bytes exactly as JSON.stringify writes them', () => {
    fc.assert(
      fc.property(hostileString(200), (s) => {
        expect(jsonStringContentBytes(s)).toBe(utf8ByteLength(JSON.stringify(s)) - 2);
      }),
    );
  });
});
