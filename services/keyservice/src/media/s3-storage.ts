import {
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { contentTypeByExt } from './media-types';
import { MEDIA_KEY_PATTERN, type MediaStorage } from './storage';

/** Options of {@link createS3Storage}. Credentials come from the usual AWS variables unless given. */
export interface S3StorageOptions {
  bucket: string;
  /** Key prefix inside the bucket (no leading/trailing slash). */
  prefix: string;
  region: string;
  /** An S3-compatible endpoint (MinIO, R2, s3rver…); AWS when undefined. */
  endpoint?: string | undefined;
  forcePathStyle?: boolean;
  credentials?: S3ClientConfig['credentials'];
}

/**
 * Media in an S3 bucket with direct PutObject from the service (the service has already sniffed
 * and size-checked the bytes, so a presigned browser upload would skip those checks). The service
 * serves objects back through its own media route, so the bucket can stay private.
 */
export function createS3Storage(options: S3StorageOptions): MediaStorage & { client: S3Client } {
  const client = new S3Client({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle ?? false,
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  const objectKey = (key: string): string => {
    if (!MEDIA_KEY_PATTERN.test(key)) throw new Error('invalid media key');
    return options.prefix ? `${options.prefix}/${key}` : key;
  };
  return {
    client,
    async put(key, body, contentType) {
      await client.send(
        new PutObjectCommand({
          Bucket: options.bucket,
          Key: objectKey(key),
          Body: body,
          ContentType: contentType,
          // Never overwrite (S3 conditional writes; keys are random anyway).
          IfNoneMatch: '*',
        }),
      );
    },
    async get(key) {
      if (!MEDIA_KEY_PATTERN.test(key)) return null;
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: options.bucket, Key: objectKey(key) }));
        if (!out.Body) return null;
        const body = await out.Body.transformToByteArray();
        const ext = key.slice(key.lastIndexOf('.') + 1);
        return { body, contentType: contentTypeByExt[ext] ?? 'application/octet-stream' };
      } catch (error) {
        if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return null;
        throw error;
      }
    },
  };
}
