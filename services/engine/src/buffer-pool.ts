/**
 * Large buffers reused once their contents are no longer read. Bulk requests move ~2 MB at a
 * time (request bodies, log frames); as new ArrayBuffers each time they count as V8 "external
 * memory", and V8 starts marking the whole heap for every 64 MB of it — most of an import's
 * garbage-collection work.
 */
export class BufferPool {
  private readonly free: Buffer[] = [];

  /** Buffers below `min` bytes are not worth pooling; above `max` they are not kept. */
  constructor(
    readonly min = 64 * 1024,
    readonly max = 16 * 1024 * 1024,
    private readonly keep = 4,
  ) {}

  /** A buffer of at least `size` bytes (its contents are garbage). */
  take(size: number): Buffer {
    const i = this.free.findIndex((b) => b.length >= size);
    const [reused] = i >= 0 ? this.free.splice(i, 1) : [];
    return reused ?? Buffer.allocUnsafeSlow(Math.max(size, this.min));
  }

  /** Buffers waiting to be taken. */
  get size(): number {
    return this.free.length;
  }

  /** Returns a buffer from {@link take} once nothing reads it any more. */
  give(buf: Buffer): void {
    if (buf.length > this.max) return;
    if (this.free.length >= this.keep) this.free.shift();
    this.free.push(buf);
  }
}
