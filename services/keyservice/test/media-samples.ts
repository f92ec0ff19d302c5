/**
 * Minimal but real media files (valid headers as the formats define them), built in code so the
 * tests carry no binary fixtures.
 */
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));

/** A 1×1 PNG. */
export const PNG = hex(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5b1d5e10000000049454e44ae426082',
);

/** A JPEG start (SOI + JFIF APP0) — enough for magic-byte detection. */
export const JPEG = concat(hex('ffd8ffe000104a46494600010100000100010000'), new Uint8Array(64), hex('ffd9'));

/** A 1×1 GIF. */
export const GIF = hex(
  '47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b',
);

/** A WebP (RIFF/WEBP VP8L) header. */
export const WEBP = concat(
  hex('52494646'),
  hex('1a000000'),
  Buffer.from('WEBPVP8L'),
  hex('0d0000002f0000001007101111888808'),
  new Uint8Array(2),
);

/** An Ogg page with an Opus head. */
export const OGG = concat(
  Buffer.from('OggS'),
  hex('0002000000000000000000000000000000000000000001'),
  hex('13'),
  Buffer.from('OpusHead'),
  hex('0101380180bb0000000000'),
);

/** An EBML header declaring DocType webm. */
export const WEBM = concat(
  hex('1a45dfa3'),
  hex('9f4286810142f7810142f2810442f381084282847765626d42878104428581021853806701'),
  new Uint8Array(32),
);

/** An MP3 with an ID3v2 tag followed by an MPEG-1 Layer III frame header. */
export const MP3 = concat(
  hex('4944330400000000000a'),
  new Uint8Array(10),
  hex('fffb9064'),
  new Uint8Array(400),
);

/** An M4A (ISO BMFF with brand "M4A "). */
export const M4A = concat(
  hex('00000020'),
  Buffer.from('ftypM4A '),
  hex('00000000'),
  Buffer.from('M4A mp42isom'),
  new Uint8Array(8),
);

/** An SVG (refused: it can carry script). */
export const SVG = new TextEncoder().encode(
  '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
);

/** An HTML page pretending to be an image. */
export const HTML = new TextEncoder().encode('<!doctype html><script>alert(1)</script>');
