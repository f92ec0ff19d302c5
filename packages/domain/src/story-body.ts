import { uuidV5 } from './ids';
import { DEFAULT_RECORD_LIMIT_BYTES, LIMITS } from './limits';
import { recordSizeBytes } from './record-size';
import { isRichTextDocument, type Story, type StoryBodyChunk } from './records/story';

/** The story fields a body chunk repeats. */
export type StoryChunkSource = Pick<
  Story,
  | 'objectID'
  | 'version'
  | 'user_id'
  | 'author'
  | 'privacy'
  | 'group_ids'
  | 'shared_with_user_ids'
  | 'visible_to'
  | 'created_at'
  | 'updated_at'
  | 'trashed'
  | 'title'
>;

/** Thrown when chunks cannot be joined back into a body, or a body cannot be split. */
export class StoryBodyError extends Error {
  override readonly name = 'StoryBodyError';
  constructor(
    /** Stable machine-readable reason. */
    readonly code:
      | 'no_chunks'
      | 'mixed_stories'
      | 'mixed_versions'
      | 'count_mismatch'
      | 'duplicate_chunk'
      | 'missing_chunk'
      | 'limit_too_small'
      | 'too_many_chunks',
    message: string,
  ) {
    super(message);
  }
}

/** The deterministic objectID of chunk `index` of a story: `uuidv5("body-chunk:<index>", storyId)`. */
export function storyChunkObjectId(storyId: string, index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= LIMITS.chunksPerStory)
    throw new RangeError(`chunk index out of range: ${index}`);
  return uuidV5(`body-chunk:${index}`, storyId);
}

/** The objectIDs of chunks `from` .. `to - 1` (e.g. those to delete when a body shrinks). */
export function storyChunkObjectIds(storyId: string, to: number, from = 0): string[] {
  const ids: string[] = [];
  for (let i = from; i < to; i++) ids.push(storyChunkObjectId(storyId, i));
  return ids;
}

/** Bytes `s` takes inside a JSON string literal as `JSON.stringify` writes it, in UTF-8. */
export function jsonStringContentBytes(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) bytes += 2;
    else if (c < 0x20) bytes += c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d ? 2 : 6;
    else if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 6; // lone surrogate: JSON.stringify writes \udXXX
    } else if (c >= 0xdc00 && c <= 0xdfff) bytes += 6;
    else bytes += 3;
  }
  return bytes;
}

/** One indivisible piece of the body: a code point, or a whole escape sequence inside a string. */
interface Unit {
  /** End offset (exclusive) of the unit in the body. */
  end: number;
  /** Plain text this unit contributes to search ('' for structure). */
  text: string;
  /** Text run it belongs to: pieces of different runs are separated by a space. */
  run: number;
}

/** Units of a body that is not a rich-text document: every code point is text, one run. */
function* plainUnits(body: string): Generator<Unit> {
  let i = 0;
  while (i < body.length) {
    const start = i;
    i += codePointLength(body, i);
    yield { end: i, text: body.slice(start, i), run: 0 };
  }
}

function codePointLength(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 2;
  }
  return 1;
}

type Frame =
  | { kind: 'array'; id: number }
  | { kind: 'object'; id: number; parent: number; inArray: boolean; expectKey: boolean; key: string | null };

/**
 * Units of a serialized rich-text document (valid JSON, checked by the caller). The values of
 * `"text"` keys of objects that are array elements (ProseMirror text nodes in a `content` array,
 * not `attrs`) are the searchable text; text nodes of one container
 * (e.g. the inline content of a paragraph) form one run, so marks never split a word.
 */
function* documentUnits(body: string): Generator<Unit> {
  const stack: Frame[] = [];
  let nextId = 0;
  let i = 0;
  const structural = (end: number): Unit => ({ end, text: '', run: -1 });
  while (i < body.length) {
    const ch = body[i];
    const top = stack[stack.length - 1];
    if (ch === '"') {
      const isKey = top?.kind === 'object' && top.expectKey;
      const isText = top?.kind === 'object' && top.inArray && !top.expectKey && top.key === 'text';
      const run = isText && top.kind === 'object' ? top.parent : -1;
      const keyStart = i + 1;
      i += 1;
      yield structural(i);
      while (i < body.length && body[i] !== '"') {
        let len: number;
        if (body[i] === '\\') {
          len = body[i + 1] === 'u' ? 6 : 2;
          if (len === 6 && isHighSurrogateEscape(body, i) && isLowSurrogateEscape(body, i + 6)) len = 12;
        } else len = codePointLength(body, i);
        const raw = body.slice(i, i + len);
        i += len;
        yield { end: i, text: isText ? (JSON.parse(`"${raw}"`) as string) : '', run };
      }
      if (isKey && top.kind === 'object') top.key = JSON.parse(`"${body.slice(keyStart, i)}"`) as string;
      i += 1; // closing quote
      yield structural(i);
      continue;
    }
    if (ch === '{')
      stack.push({
        kind: 'object',
        id: nextId++,
        parent: top?.id ?? -1,
        inArray: top?.kind === 'array',
        expectKey: true,
        key: null,
      });
    else if (ch === '[') stack.push({ kind: 'array', id: nextId++ });
    else if (ch === '}' || ch === ']') stack.pop();
    else if (ch === ':' && top?.kind === 'object') top.expectKey = false;
    else if (ch === ',' && top?.kind === 'object') {
      top.expectKey = true;
      top.key = null;
    }
    i += codePointLength(body, i);
    yield structural(i);
  }
}

function isHighSurrogateEscape(s: string, i: number): boolean {
  return /^\\u[dD][89abAB][0-9a-fA-F]{2}$/.test(s.slice(i, i + 6));
}
function isLowSurrogateEscape(s: string, i: number): boolean {
  return /^\\u[dD][c-fC-F][0-9a-fA-F]{2}$/.test(s.slice(i, i + 6));
}

function chunkRecord(
  story: StoryChunkSource,
  index: number,
  count: number,
  text: string,
  bodyPart: string,
): StoryBodyChunk {
  return {
    objectID: storyChunkObjectId(story.objectID, Math.min(index, LIMITS.chunksPerStory - 1)),
    record_type: 'story_body_chunk',
    story_id: story.objectID,
    story_version: story.version,
    chunk_index: index,
    chunk_count: count,
    user_id: story.user_id,
    author: story.author,
    privacy: story.privacy,
    group_ids: story.group_ids,
    shared_with_user_ids: story.shared_with_user_ids,
    visible_to: story.visible_to,
    created_at: story.created_at,
    updated_at: story.updated_at,
    trashed: story.trashed,
    title: story.title,
    text,
    body_part: bodyPart,
  };
}

/** Smallest room for body and text a chunk must leave, so a split always makes progress. */
const MIN_PAYLOAD_BYTES = 64;

/**
 * Splits a story body into ordered chunk records, each at most `limitBytes` as a whole record
 * (its ACL fields, title and author included). Cuts fall only between code points (never inside a
 * surrogate pair or a UTF-8 sequence) and never inside a JSON escape. Each chunk carries the plain
 * text of the text nodes in its part (for a body that is not a rich-text document, the part itself).
 * An empty body gives one empty chunk. Throws {@link StoryBodyError} when the limit leaves too
 * little room or the body would need more than {@link LIMITS.chunksPerStory} chunks.
 */
export function splitStoryBody(
  story: StoryChunkSource,
  body: string,
  limitBytes: number = DEFAULT_RECORD_LIMIT_BYTES,
): StoryBodyChunk[] {
  // The overhead is measured with the widest chunk_index / chunk_count, an upper bound for all chunks.
  const overhead = recordSizeBytes(
    chunkRecord(story, LIMITS.chunksPerStory - 1, LIMITS.chunksPerStory, '', ''),
  );
  const budget = limitBytes - overhead;
  if (budget < MIN_PAYLOAD_BYTES) {
    throw new StoryBodyError(
      'limit_too_small',
      `story ${story.objectID}: a ${limitBytes}-byte limit leaves ${budget} bytes per chunk after ${overhead} bytes of metadata (need ${MIN_PAYLOAD_BYTES})`,
    );
  }

  const parts: { start: number; end: number; text: string }[] = [];
  let start = 0;
  let end = 0;
  let used = 0;
  let text: string[] = [];
  let lastRun: number | null = null;
  const units = isRichTextDocument(body) ? documentUnits(body) : plainUnits(body);
  for (const unit of units) {
    const needsSpace = unit.text !== '' && lastRun !== null && lastRun !== unit.run;
    const cost =
      jsonStringContentBytes(body.slice(end, unit.end)) +
      jsonStringContentBytes(unit.text) +
      (needsSpace ? 1 : 0);
    if (used + cost > budget && end > start) {
      parts.push({ start, end, text: text.join('') });
      if (parts.length >= LIMITS.chunksPerStory) {
        throw new StoryBodyError(
          'too_many_chunks',
          `story ${story.objectID}: body needs more than ${LIMITS.chunksPerStory} chunks at ${limitBytes} bytes each`,
        );
      }
      start = end;
      text = [];
      lastRun = null;
      used = 0;
      // Re-cost the unit at the start of a fresh chunk (no separator there).
      const fresh = jsonStringContentBytes(body.slice(end, unit.end)) + jsonStringContentBytes(unit.text);
      used = fresh;
    } else {
      used += cost;
      if (needsSpace) text.push(' ');
    }
    if (unit.text !== '') {
      text.push(unit.text);
      lastRun = unit.run;
    }
    end = unit.end;
  }
  parts.push({ start, end, text: text.join('') });
  if (parts.length > LIMITS.chunksPerStory) {
    throw new StoryBodyError(
      'too_many_chunks',
      `story ${story.objectID}: body needs more than ${LIMITS.chunksPerStory} chunks at ${limitBytes} bytes each`,
    );
  }

  const chunks = parts.map((p, i) => chunkRecord(story, i, parts.length, p.text, body.slice(p.start, p.end)));
  for (const chunk of chunks) {
    const size = recordSizeBytes(chunk);
    // Unreachable unless the cost model above is wrong; fail loudly rather than write an oversize record.
    if (size > limitBytes)
      throw new Error(
        `internal: chunk ${chunk.chunk_index} of story ${story.objectID} is ${size} > ${limitBytes} bytes`,
      );
  }
  return chunks;
}

/** The chunk fields {@link joinStoryBody} reads. */
export type JoinableChunk = Pick<
  StoryBodyChunk,
  'story_id' | 'story_version' | 'chunk_index' | 'chunk_count' | 'body_part'
>;

/**
 * Reassembles the exact body from its chunks, in any order. Throws {@link StoryBodyError} when
 * chunks are missing or duplicated, their `chunk_count`s disagree, or they come from different
 * stories or story versions (a reader raced a write: read again).
 */
export function joinStoryBody(chunks: readonly JoinableChunk[]): string {
  const first = chunks[0];
  if (!first) throw new StoryBodyError('no_chunks', 'no chunks to join');
  const count = first.chunk_count;
  const byIndex = new Map<number, JoinableChunk>();
  for (const c of chunks) {
    if (c.story_id !== first.story_id)
      throw new StoryBodyError('mixed_stories', `chunks of stories ${first.story_id} and ${c.story_id}`);
    if (c.story_version !== first.story_version) {
      throw new StoryBodyError(
        'mixed_versions',
        `story ${first.story_id}: chunks of versions ${first.story_version} and ${c.story_version}`,
      );
    }
    if (c.chunk_count !== count) {
      throw new StoryBodyError(
        'count_mismatch',
        `story ${first.story_id}: chunk_count ${c.chunk_count} and ${count} disagree`,
      );
    }
    if (!Number.isInteger(c.chunk_index) || c.chunk_index < 0 || c.chunk_index >= count) {
      throw new StoryBodyError(
        'count_mismatch',
        `story ${first.story_id}: chunk_index ${c.chunk_index} outside 0..${count - 1}`,
      );
    }
    if (byIndex.has(c.chunk_index))
      throw new StoryBodyError(
        'duplicate_chunk',
        `story ${first.story_id}: chunk ${c.chunk_index} appears twice`,
      );
    byIndex.set(c.chunk_index, c);
  }
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const c = byIndex.get(i);
    if (!c)
      throw new StoryBodyError('missing_chunk', `story ${first.story_id}: chunk ${i} of ${count} is missing`);
    out.push(c.body_part);
  }
  return out.join('');
}

/** The plain text of a whole body, as the chunks' `text` fields hold it (joined with spaces between runs). */
export function storyBodyPlainText(body: string): string {
  const out: string[] = [];
  let lastRun: number | null = null;
  for (const unit of isRichTextDocument(body) ? documentUnits(body) : plainUnits(body)) {
    if (unit.text === '') continue;
    if (lastRun !== null && lastRun !== unit.run) out.push(' ');
    out.push(unit.text);
    lastRun = unit.run;
  }
  return out.join('');
}
