/**
 * Decoding valid UTF-8 that is not ASCII into a string, faster than V8's decoder for non-Latin text.
 *
 * V8 decodes UTF-8 with many multi-byte characters (Cyrillic, Greek, CJK) at ≈ 5 ms per MB on
 * this machine (`toString`, `TextDecoder` and `StringDecoder` alike); ICU's converter behind
 * `buffer.transcode` turns it into UTF-16 at a third of that, and UTF-16 into a string is a copy.
 * Only for bytes known to be valid UTF-8: for invalid bytes the two put replacement characters in
 * different places.
 */
import { transcode } from 'node:buffer';

/**
 * UTF-16 bytes per piece made into a string: Node makes a string of about 1 MB or more an
 * *external* one, which V8 counts as external memory (every 64 MB of it starts a full
 * collection). Pieces below that are heap strings, joined into one.
 */
const PIECE_BYTES = 512 * 1024;

/** Below this the transcoder's fixed cost is not worth it. */
const MIN_BYTES = 16 * 1024;

let available = typeof transcode === 'function';

/** `bytes[from, to)` (valid UTF-8) as a string: what `toString('utf8', from, to)` gives. */
export function decodeValidUtf8(bytes: Buffer, from = 0, to = bytes.length): string {
  if (to - from < MIN_BYTES || !available) return bytes.toString('utf8', from, to);
  let utf16: Buffer;
  try {
    utf16 = transcode(bytes.subarray(from, to), 'utf8', 'utf16le');
  } catch {
    // A Node without ICU: V8's decoder from then on.
    available = false;
    return bytes.toString('utf8', from, to);
  }
  if (utf16.length <= PIECE_BYTES) return utf16.toString('utf16le');
  const pieces: string[] = [];
  // Even offsets: a surrogate pair cut between two pieces is whole again once they are joined.
  for (let at = 0; at < utf16.length; at += PIECE_BYTES)
    pieces.push(utf16.toString('utf16le', at, Math.min(utf16.length, at + PIECE_BYTES)));
  return pieces.join('');
}
