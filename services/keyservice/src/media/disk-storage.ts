import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { contentTypeByExt } from './media-types';
import { MEDIA_KEY_PATTERN, type MediaStorage } from './storage';

/** Media on the local disk (the embedded default): one file per key under `dir`, mode 0600. */
export function createDiskStorage(dir: string): MediaStorage {
  let ready: Promise<unknown> | undefined;
  const pathOf = (key: string): string => {
    if (!MEDIA_KEY_PATTERN.test(key)) throw new Error('invalid media key');
    return join(dir, key);
  };
  return {
    async put(key, body) {
      ready ??= mkdir(dir, { recursive: true, mode: 0o700 });
      await ready;
      // 'wx' refuses to overwrite; fsync so an acknowledged upload survives a crash.
      const file = await open(pathOf(key), 'wx', 0o600);
      try {
        await file.writeFile(body);
        await file.sync();
      } finally {
        await file.close();
      }
    },
    async get(key) {
      if (!MEDIA_KEY_PATTERN.test(key)) return null;
      try {
        const body = await readFile(pathOf(key));
        const ext = key.slice(key.lastIndexOf('.') + 1);
        return { body, contentType: contentTypeByExt[ext] ?? 'application/octet-stream' };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
  };
}
