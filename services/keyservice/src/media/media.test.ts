import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../errors';
import * as samples from '../../test/media-samples';
import { createDiskStorage } from './disk-storage';
import { MEDIA_LIMITS, sniffMedia } from './media-types';
import { createS3Storage } from './s3-storage';
import type { MediaStorage, StoredMedia, UnsatisfiableRange } from './storage';
import { storeUpload } from './upload';

describe('sniffMedia', () => {
  it.each([
    ['PNG', samples.PNG, 'image', 'image/png'],
    ['JPEG', samples.JPEG, 'image', 'image/jpeg'],
    ['GIF', samples.GIF, 'image', 'image/gif'],
    ['WEBP', samples.WEBP, 'image', 'image/webp'],
    ['OGG', samples.OGG, 'voice', 'audio/ogg'],
    ['WEBM', samples.WEBM, 'voice', 'audio/webm'],
    ['MP3', samples.MP3, 'voice', 'audio/mpeg'],
    ['M4A', samples.M4A, 'voice', 'audio/mp4'],
  ] as const)('recognises %s by its magic bytes', async (_name, bytes, kind, contentType) => {
    expect(await sniffMedia(bytes)).toMatchObject({ kind, contentType });
  });

  it('refuses SVG, HTML and random bytes whatever they are called', async () => {
    expect(await sniffMedia(samples.SVG)).toBeUndefined();
    expect(await sniffMedia(samples.HTML)).toBeUndefined();
    expect(await sniffMedia(new Uint8Array(256).fill(7))).toBeUndefined();
  });
});

async function apiError(p: Promise<unknown>): Promise<ApiError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ApiError);
  return e as ApiError;
}

/** The object read back, its stream consumed. */
async function readBack(got: StoredMedia | UnsatisfiableRange | null): Promise<{
  bytes: Buffer;
  contentType: string;
  size: number;
  range?: { start: number; end: number };
} | null> {
  if (!got || 'unsatisfiable' in got) return null;
  const bytes = Buffer.from(await new Response(got.body).arrayBuffer());
  return { bytes, contentType: got.contentType, size: got.size, ...(got.range ? { range: got.range } : {}) };
}

function storageContract(name: string, make: () => Promise<MediaStorage>): void {
  describe(`${name} storage through storeUpload`, () => {
    let storage: MediaStorage;
    beforeAll(async () => {
      storage = await make();
    });

    it('stores an image under an unguessable key and reads it back byte for byte', async () => {
      const result = await storeUpload(storage, samples.PNG, 'image/png', 'http://127.0.0.1:7702');
      expect(result).toMatchObject({ kind: 'image', contentType: 'image/png', size: samples.PNG.byteLength });
      const key = /\/media\/([A-Za-z0-9_-]{32}\.png)$/.exec(result.url)?.[1];
      expect(key).toBeDefined();
      const back = await readBack(await storage.get(key ?? ''));
      expect(back?.contentType).toBe('image/png');
      expect(back?.size).toBe(samples.PNG.byteLength);
      expect(back?.bytes.equals(Buffer.from(samples.PNG))).toBe(true);
    });

    it('reads a range, the last bytes, and refuses a range past the end', async () => {
      const result = await storeUpload(storage, samples.MP3, undefined, 'http://h');
      const key = result.url.split('/').pop() ?? '';
      const all = Buffer.from(samples.MP3);
      const part = await readBack(await storage.get(key, { start: 2, end: 9 }));
      expect(part?.range).toEqual({ start: 2, end: 9 });
      expect(part?.bytes.equals(all.subarray(2, 10))).toBe(true);
      expect(part?.size).toBe(all.length);
      const open = await readBack(await storage.get(key, { start: all.length - 3 }));
      expect(open?.bytes.equals(all.subarray(all.length - 3))).toBe(true);
      const tail = await readBack(await storage.get(key, { suffix: 4 }));
      expect(tail?.range).toEqual({ start: all.length - 4, end: all.length - 1 });
      expect(tail?.bytes.equals(all.subarray(all.length - 4))).toBe(true);
      const past = await storage.get(key, { start: all.length });
      expect(past).toEqual({ unsatisfiable: true, size: all.length });
      // One byte: served as asked, or — a backend that ignores it — whole and said so (no range).
      const one = await readBack(await storage.get(key, { start: 0, end: 0 }));
      if (one?.range) expect(one.bytes.equals(all.subarray(0, 1))).toBe(true);
      else expect(one?.bytes.equals(all)).toBe(true);
    });

    it('stores a voice note with its canonical type', async () => {
      const result = await storeUpload(storage, samples.OGG, undefined, 'http://h');
      expect(result).toMatchObject({ kind: 'voice', contentType: 'audio/ogg' });
      const key = result.url.split('/').pop() ?? '';
      expect((await readBack(await storage.get(key)))?.contentType).toBe('audio/ogg');
    });

    it('gives a different key to every upload of the same bytes', async () => {
      const a = await storeUpload(storage, samples.GIF, 'image/gif', 'http://h');
      const b = await storeUpload(storage, samples.GIF, 'image/gif', 'http://h');
      expect(a.url).not.toBe(b.url);
    });

    it('answers null for unknown and malformed keys', async () => {
      expect(await storage.get('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.png')).toBeNull();
      expect(await storage.get('../../etc/passwd')).toBeNull();
    });
  });
}

let s3: S3rver;
let s3Dir: string;
let diskDir: string;

beforeAll(async () => {
  diskDir = await mkdtemp(join(tmpdir(), 'ks-media-'));
  s3Dir = await mkdtemp(join(tmpdir(), 'ks-s3rver-'));
  s3 = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: s3Dir,
    configureBuckets: [{ name: 'ndf-media', configs: [] }],
  });
});

afterAll(async () => {
  await s3.close();
  await rm(diskDir, { recursive: true, force: true });
  await rm(s3Dir, { recursive: true, force: true });
});

storageContract('disk', () => Promise.resolve(createDiskStorage(join(diskDir, 'media'))));

storageContract('S3 (s3rver on 127.0.0.1)', async () => {
  const { port } = await s3.run();
  return createS3Storage({
    bucket: 'ndf-media',
    prefix: 'uploads/dev',
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
});

describe('upload rules', () => {
  let storage: MediaStorage;
  beforeAll(() => {
    storage = createDiskStorage(join(diskDir, 'rules'));
  });

  it('refuses content whose declared type disagrees with its bytes', async () => {
    const e = await apiError(storeUpload(storage, samples.PNG, 'audio/ogg', 'http://h'));
    expect(e.status).toBe(415);
  });

  it('refuses HTML sent as an image and SVG', async () => {
    expect((await apiError(storeUpload(storage, samples.HTML, 'image/png', 'http://h'))).status).toBe(415);
    expect((await apiError(storeUpload(storage, samples.SVG, 'image/svg+xml', 'http://h'))).status).toBe(415);
  });

  it('refuses an empty upload', async () => {
    expect((await apiError(storeUpload(storage, new Uint8Array(), 'image/png', 'http://h'))).status).toBe(
      400,
    );
  });

  it('applies the per-kind size limit after sniffing', async () => {
    const big = new Uint8Array(MEDIA_LIMITS.image + 1);
    big.set(samples.PNG);
    const e = await apiError(storeUpload(storage, big, 'image/png', 'http://h'));
    expect(e.status).toBe(413);
    expect(e.details).toMatchObject({ limit: MEDIA_LIMITS.image });
  });

  it('leaves no half-written disk file when a write fails', async () => {
    const dir = join(diskDir, 'failing');
    const disk = createDiskStorage(dir);
    const key = 'B'.repeat(32) + '.mp3';
    // Bytes that fail half-way, as a full disk does.
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield samples.MP3;
      await Promise.resolve();
      throw new Error('no space left on device');
    }
    await expect(disk.put(key, failing() as never, 'audio/mpeg')).rejects.toThrow('no space left');
    await expect(stat(join(dir, key))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('writes disk files readable only by the service (0600)', async () => {
    const result = await storeUpload(storage, samples.JPEG, 'image/jpeg', 'http://h');
    const info = await stat(join(diskDir, 'rules', result.url.split('/').pop() ?? ''));
    expect(info.mode & 0o777).toBe(0o600);
  });
});
