import { fileTypeFromBuffer } from 'file-type';

/** What an upload is for; each kind has its own formats and size limit. */
export type MediaKind = 'image' | 'voice';

/** A recognised, allowed media format. */
export interface MediaFormat {
  kind: MediaKind;
  /** File extension used in the storage key (and to serve the file back). */
  ext: string;
  /** Canonical content type the file is stored and served with. */
  contentType: string;
}

/** Largest accepted upload per kind, in bytes. */
export const MEDIA_LIMITS: Record<MediaKind, number> = {
  image: 10 * 1024 * 1024,
  voice: 25 * 1024 * 1024,
};

/** Formats by the extension file-type reports. SVG is deliberately absent (it can carry script). */
const formatsByDetectedExt: Record<string, MediaFormat> = {
  png: { kind: 'image', ext: 'png', contentType: 'image/png' },
  jpg: { kind: 'image', ext: 'jpg', contentType: 'image/jpeg' },
  webp: { kind: 'image', ext: 'webp', contentType: 'image/webp' },
  gif: { kind: 'image', ext: 'gif', contentType: 'image/gif' },
  webm: { kind: 'voice', ext: 'webm', contentType: 'audio/webm' },
  ogg: { kind: 'voice', ext: 'ogg', contentType: 'audio/ogg' },
  oga: { kind: 'voice', ext: 'ogg', contentType: 'audio/ogg' },
  opus: { kind: 'voice', ext: 'ogg', contentType: 'audio/ogg' },
  mp3: { kind: 'voice', ext: 'mp3', contentType: 'audio/mpeg' },
  m4a: { kind: 'voice', ext: 'm4a', contentType: 'audio/mp4' },
};

/** Content type to serve for a stored key's extension. */
export const contentTypeByExt: Record<string, string> = Object.fromEntries(
  Object.values(formatsByDetectedExt).map((f) => [f.ext, f.contentType]),
);

/**
 * Identifies an upload by its magic bytes (never by the client's content type or file name).
 * Returns undefined for anything not on the allow-list.
 */
export async function sniffMedia(bytes: Uint8Array): Promise<MediaFormat | undefined> {
  const detected = await fileTypeFromBuffer(bytes);
  if (!detected) return undefined;
  // file-type labels MPEG-4 audio as m4a only when the brand says so; plain `mp4` with an audio
  // mime is an m4a voice note too.
  if (detected.ext === 'mp4' && detected.mime.startsWith('audio/')) return formatsByDetectedExt.m4a;
  return formatsByDetectedExt[detected.ext];
}
