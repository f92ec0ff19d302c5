import { describe, expect, it } from 'vitest';
import { freeSoon } from './free-soon';
import { gc } from '../testing/gc';

const arrayBuffers = (): number => process.memoryUsage().arrayBuffers;
const MB = 1024 * 1024;

/** An 8 MB array that survived full collections (old, as an outgrown arena is). */
function oldArray(): Int32Array {
  const a = new Int32Array(2 * MB).fill(7);
  gc();
  gc();
  return a;
}

describe('freeSoon', () => {
  it("frees an old array's memory at the next minor collection, and detaches it", async () => {
    let a: Int32Array | undefined = oldArray();
    const view = a.subarray(10);
    const before = arrayBuffers();
    freeSoon(a);
    a = undefined;
    expect(view.length).toBe(0);
    // Only minor collections from here on; V8 sweeps dead buffers after a collection on a
    // helper thread, so the count is read again until that is done (bounded).
    for (let i = 0; i < 100 && before - arrayBuffers() < 7 * MB; i++) {
      gc({ type: 'minor' });
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    expect(before - arrayBuffers()).toBeGreaterThanOrEqual(7 * MB);
  });

  it('leaves small and already detached buffers alone', () => {
    const small = new Int32Array(16).fill(1);
    freeSoon(small);
    expect([...small]).toEqual(new Array(16).fill(1));
    const a = oldArray();
    freeSoon(a);
    expect(() => freeSoon(a)).not.toThrow();
  });
});
