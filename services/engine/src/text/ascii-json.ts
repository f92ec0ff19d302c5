/**
 * Record texts kept as ASCII. V8 stores a string with any character above U+00FF in two bytes per
 * character, so one curly apostrophe in a record doubled the memory of its text, and of the 2 MB
 * batch string its view kept alive; a writer's records nearly all have one. A JSON text stays the
 * same JSON with every non-ASCII code unit written as a `\uXXXX` escape (they occur only inside
 * strings), and is then a one-byte string: ≈ 1 byte per character instead of 2, a few more bytes
 * per escaped character. Sizes reported to clients stay those of the record's own JSON
 * ({@link storedJsonBytes}).
 */

const NON_ASCII = /[^\x00-\x7f]/; // eslint-disable-line no-control-regex -- the whole ASCII range
const NON_ASCII_G = /[^\x00-\x7f]/g; // eslint-disable-line no-control-regex -- as above

const escapeUnit = (c: string): string => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0');

/**
 * `json` (a JSON text) with every non-ASCII code unit escaped, as a one-byte string; `json`
 * itself when it is ASCII. `JSON.parse` of either gives the same value.
 */
export function asciiJson(json: string): string {
  if (!NON_ASCII.test(json)) return json;
  // `replace` builds a two-byte string from a two-byte one even when every character is ASCII;
  // a latin1 round trip (small: Buffer's pooled slab) makes it one-byte.
  return Buffer.from(json.replace(NON_ASCII_G, escapeUnit), 'latin1').toString('latin1');
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
