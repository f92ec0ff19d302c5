import { randomBytes } from 'node:crypto';
import { ApiError } from '../errors';
import { MEDIA_LIMITS, sniffMedia, type MediaKind } from './media-types';
import type { MediaStorage } from './storage';

/** What `POST /v1/media` answers. */
export interface UploadResult {
  url: string;
  kind: MediaKind;
  contentType: string;
  size: number;
}

/**
 * Validates and stores one upload. The format comes from the bytes' magic numbers; a declared
 * content type (if any) must agree on the kind (image vs audio), so a mislabelled file is refused
 * rather than silently reinterpreted.
 */
export async function storeUpload(
  storage: MediaStorage,
  body: Uint8Array,
  declaredType: string | undefined,
  publicBaseUrl: string,
): Promise<UploadResult> {
  if (body.byteLength === 0) throw new ApiError('invalid_request', 'the upload is empty');
  const format = await sniffMedia(body);
  if (!format) {
    throw new ApiError(
      'unsupported_media_type',
      'only PNG, JPEG, WebP and GIF images and WebM, Ogg, MP3 and M4A voice notes are accepted',
    );
  }
  const declared = declaredType?.split(';')[0]?.trim().toLowerCase();
  if (declared && declared !== 'application/octet-stream') {
    const declaredKind = declared.startsWith('image/')
      ? 'image'
      : declared.startsWith('audio/') || declared.startsWith('video/webm')
        ? 'voice'
        : undefined;
    if (declaredKind !== format.kind) {
      throw new ApiError(
        'unsupported_media_type',
        `the content is ${format.contentType} but was sent as ${declared}`,
      );
    }
  }
  const limit = MEDIA_LIMITS[format.kind];
  if (body.byteLength > limit) {
    throw new ApiError('payload_too_large', `${format.kind} uploads are limited to ${limit} bytes`, {
      limit,
      size: body.byteLength,
    });
  }
  const key = `${randomBytes(24).toString('base64url')}.${format.ext}`;
  await storage.put(key, body, format.contentType);
  return {
    url: `${publicBaseUrl}/media/${key}`,
    kind: format.kind,
    contentType: format.contentType,
    size: body.byteLength,
  };
}
