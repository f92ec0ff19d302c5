/**
 * Hands the memory of an array nobody will read again back at the next minor garbage collection.
 *
 * V8 frees an ArrayBuffer that lived long enough to be "old" only when a full collection finds it
 * dead, and counts its bytes as allocated until then; every 64 MB so counted starts a full
 * collection (marking the whole heap). The index drops large arrays as it grows (an arena
 * outgrown, posting segments merged into one), which made most of an import's full collections.
 * Transferring the buffer to a throwaway clone moves its memory (no copy) to a young buffer the
 * next minor collection frees; the original is detached.
 *
 * Only for arrays whose buffer no one else views: every view of it reads as empty afterwards.
 */
export function freeSoon(...arrays: ArrayBufferView[]): void {
  for (const a of arrays) {
    const buffer = a.buffer;
    if (buffer instanceof ArrayBuffer && buffer.byteLength >= MIN_BYTES && !isDetached(buffer))
      structuredClone(buffer, { transfer: [buffer] });
  }
}

/** Below this, a buffer is not worth a transfer (it is not much of the 64 MB either). */
const MIN_BYTES = 64 * 1024;

function isDetached(buffer: ArrayBuffer): boolean {
  // A detached buffer has byteLength 0 (and a 0-length one needs nothing freed).
  return buffer.byteLength === 0;
}
