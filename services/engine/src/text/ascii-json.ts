/**
 * Record texts kept as ASCII. V8 stores a string with any character above U+00FF in two bytes per
 * character, so one curly apostrophe in a record doubled the memory of its text, and of the 2 MB
 * batch string its view kept alive; a writer's records nearly all have one. A JSON text stays the
 * same JSON with every non-ASCII code unit written as a `\uXXXX` escape (they occur only inside
 * strings), and is then a one-byte string: ≈ 1 byte per character instead of 2, a few more bytes
 * per escaped character. Sizes reported to clients stay those of the record's own JSON
 * ({@link storedJsonBytes}).
 */

const NON_ASCII_G = /[^\x00-\x7f]/g; // eslint-disable-line no-control-regex -- the whole ASCII range

const escapeUnit = (c: string): string => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0');

/**
 * `json` with every non-ASCII code unit escaped: ASCII content, but not necessarily a one-byte
 * string (a slice of a two-byte string, or `replace`'s result from one, stays two-byte).
 */
function escapeNonAscii(json: string): string {
  return json.replace(NON_ASCII_G, escapeUnit);
}

/**
 * Reused for the round trips below (a block is ≈ 2 MB; allocating one per batch is churn), up to
 * {@link SCRATCH_MAX}: a larger text (a request can be 64 MB) gets a buffer of its own, let go.
 */
let scratch = Buffer.allocUnsafe(0);
const SCRATCH_MAX = 8 * 1024 * 1024;

/**
 * An ASCII string as a one-byte string of its own: written to bytes and decoded as UTF-8, which
 * V8 makes a one-byte heap string for ASCII (latin1 decoding would make an external string of a
 * large one, which V8 counts as external memory). Only for ASCII: latin1 writing drops the high
 * byte of anything else.
 */
function oneByte(ascii: string): string {
  let buf = scratch;
  if (buf.length < ascii.length) {
    buf = Buffer.allocUnsafe(
      ascii.length <= SCRATCH_MAX
        ? Math.min(SCRATCH_MAX, Math.max(ascii.length, 2 * buf.length))
        : ascii.length,
    );
    if (buf.length <= SCRATCH_MAX) scratch = buf;
  }
  const n = buf.write(ascii, 0, 'latin1');
  return buf.toString('utf8', 0, n);
}

/**
 * `json` (a JSON text) with every non-ASCII code unit escaped, as a one-byte string of its own
 * (never a view of a longer string). `JSON.parse` of either gives the same value.
 */
export function asciiJson(json: string): string {
  return oneByte(escapeNonAscii(json));
}

/**
 * JSON `texts` escaped (see {@link asciiJson}) and copied into one new one-byte string, returned as
 * views of it; undefined stays undefined. One copy for a batch or a snapshot chunk: a record of
 * plain ASCII cut from a request that has a curly quote elsewhere is a two-byte string too, and
 * one two-byte piece makes a joined string two-byte.
 */
export function asciiViews(
  texts: readonly (string | undefined)[],
  /** The texts are one-byte ASCII strings already (snapshot lines decoded from ASCII bytes). */
  oneByteAscii = false,
): (string | undefined)[] {
  // Joined as they are only when that makes a new string: join() of a single non-empty text (others
  // empty) is that text itself, a view of whatever it was cut from.
  const asIs = oneByteAscii && texts.filter((t) => t !== undefined && t !== '').length > 1;
  const escaped = asIs ? texts : texts.map((t) => (t === undefined ? undefined : escapeNonAscii(t)));
  const joined = escaped.filter((t): t is string => t !== undefined).join('');
  const shared = asIs ? joined : oneByte(joined);
  const views: (string | undefined)[] = [];
  let at = 0;
  for (const t of escaped) {
    views.push(t === undefined ? undefined : shared.slice(at, at + t.length));
    at += t?.length ?? 0;
  }
  return views;
}

/** A JSON escape: `\uXXXX` (its code in group 1) or a two-character one. */
const ESCAPE = /\\(?:u([0-9a-fA-F]{4})|[^u])/g;
const LOW_SURROGATE_ESCAPE = /^\\u[dD][c-fC-F][0-9a-fA-F]{2}$/;

/**
 * UTF-8 bytes of the record's own JSON for a stored text that {@link asciiJson} may have escaped
 * (exact when the text was the record's own minimal JSON before): each escape of a non-ASCII
 * character counts as that character's UTF-8 bytes. Escaped lone surrogates were escapes in the
 * record's JSON too; an escaped surrogate pair was one 4-byte character.
 */
export function storedJsonBytes(text: string): number {
  let n = Buffer.byteLength(text);
  if (!text.includes('\\u')) return n;
  ESCAPE.lastIndex = 0;
  for (let m = ESCAPE.exec(text); m !== null; m = ESCAPE.exec(text)) {
    if (m[1] === undefined) continue;
    const c = parseInt(m[1], 16);
    if (c < 0x80) continue;
    if (c < 0x800) n -= 4;
    else if (c < 0xd800 || c > 0xdfff) n -= 3;
    else if (c <= 0xdbff && LOW_SURROGATE_ESCAPE.test(text.slice(ESCAPE.lastIndex, ESCAPE.lastIndex + 6))) {
      n -= 8; // 12 bytes of escapes for one 4-byte character
      ESCAPE.lastIndex += 6;
    }
  }
  return n;
}
