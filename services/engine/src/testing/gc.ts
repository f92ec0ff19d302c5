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

/**
 * Bytes of array buffers after full collections, repeated until the figure stops falling (at
 * most 10): V8 frees the backing stores of dead array buffers in a sweep that may still be running
 * when one collection returns, so a single `gc()` can leave them counted on a loaded machine.
 */
export function arrayBuffersAfterGc(): number {
  let last = Infinity;
  for (let i = 0; i < 10; i++) {
    gc();
    const now = process.memoryUsage().arrayBuffers;
    if (now >= last) return now;
    last = now;
  }
  return last;
}
