/**
 * Garbage collection on demand, for tests that measure what memory a structure keeps (or frees).
 * `--expose-gc` set at run time makes `gc` available in a new context.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');

/** V8's `gc()`: a full collection, or a minor one with `{ type: 'minor' }`. */
export const gc = runInNewContext('gc') as (options?: { type: 'minor' | 'major' }) => void;

/** Heap bytes in use after two full collections (what is still reachable). */
export function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
