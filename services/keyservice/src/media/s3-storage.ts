import {
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { contentTypeByExt } from './media-types';
import { MEDIA_KEY_PATTERN, resolveRange, type MediaStorage } from './storage';

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
    async get(key, request) {
      if (!MEDIA_KEY_PATTERN.test(key)) return null;
      const Key = objectKey(key);
      const ext = key.slice(key.lastIndexOf('.') + 1);
      const missing = (error: unknown): boolean =>
        error instanceof NoSuchKey ||
        error instanceof NotFound ||
        ['NoSuchKey', 'NotFound'].includes((error as { name?: string }).name ?? '');
      try {
        // A range needs the size first, to answer one the object does not have with a 416.
        let range;
        let size: number | undefined;
        if (request) {
          const head = await client.send(new HeadObjectCommand({ Bucket: options.bucket, Key }));
          size = head.ContentLength ?? 0;
          range = resolveRange(request, size);
          if (range === null) return { unsatisfiable: true, size };
        }
        const out = await client.send(
          new GetObjectCommand({
            Bucket: options.bucket,
            Key,
            ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
          }),
        );
        if (!out.Body) return null;
        // A backend may ignore the range (S3-compatible ones do) and send the whole object: then
        // it is served whole, never with a Content-Length that does not match the bytes.
        const served = /^bytes (\d+)-(\d+)\//.exec(out.ContentRange ?? '');
        const honoured =
          range !== undefined &&
          served !== null &&
          Number(served[1]) === range.start &&
          Number(served[2]) === range.end;
        return {
          body: out.Body.transformToWebStream() as ReadableStream<Uint8Array>,
          contentType: contentTypeByExt[ext] ?? 'application/octet-stream',
          size: size ?? out.ContentLength ?? NaN,
          ...(honoured ? { range } : {}),
        };
      } catch (error) {
        if (missing(error)) return null;
        throw error;
      }
    },
  };
}
