import { createReadStream } from 'node:fs';
import { mkdir, open, unlink } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { contentTypeByExt } from './media-types';
import { MEDIA_KEY_PATTERN, resolveRange, type MediaStorage } from './storage';

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
      } catch (error) {
        // No half-written file left behind (a full disk would otherwise keep collecting them).
        try {
          await file.close();
        } finally {
          await unlink(pathOf(key)).catch(() => undefined);
        }
        throw error;
      }
      await file.close();
    },
    async get(key, request) {
      if (!MEDIA_KEY_PATTERN.test(key)) return null;
      let file;
      try {
        file = await open(pathOf(key), 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
      // Read from the descriptor opened above: its size and its bytes are the same file's.
      let size: number;
      try {
        ({ size } = await file.stat());
      } catch (error) {
        await file.close();
        throw error;
      }
      const range = request ? resolveRange(request, size) : undefined;
      if (range === null) {
        await file.close();
        return { unsatisfiable: true, size };
      }
      const ext = key.slice(key.lastIndexOf('.') + 1);
      const stream = createReadStream('', {
        fd: file,
        ...(range ? { start: range.start, end: range.end } : {}),
      });
      return {
        body: Readable.toWeb(stream) as ReadableStream<Uint8Array>,
        contentType: contentTypeByExt[ext] ?? 'application/octet-stream',
        size,
        ...(range ? { range } : {}),
      };
    },
  };
}
