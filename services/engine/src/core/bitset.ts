/* eslint-disable @typescript-eslint/no-non-null-assertion -- hot loops over typed arrays and
   dense id-indexed arrays: indices are in bounds by construction, and noUncheckedIndexedAccess
   would otherwise cost a check per element. */
/** A fixed-size bit set over document ids (filters are evaluated as bit sets). */
export class Bitset {
  readonly words: Uint32Array;

  constructor(readonly size: number) {
    this.words = new Uint32Array((size + 31) >>> 5);
  }

  has(i: number): boolean {
    return i < this.size && (this.words[i >>> 5]! & (1 << (i & 31))) !== 0;
  }

  add(i: number): void {
    this.words[i >>> 5]! |= 1 << (i & 31);
  }

  remove(i: number): void {
    if (i < this.size) this.words[i >>> 5]! &= ~(1 << (i & 31));
  }

  /** this |= other */
  or(other: Bitset): this {
    const a = this.words;
    const b = other.words;
    for (let i = 0; i < a.length; i++) a[i]! |= b[i]!;
    return this;
  }

  /** this &= other */
  and(other: Bitset): this {
    const a = this.words;
    const b = other.words;
    for (let i = 0; i < a.length; i++) a[i]! &= b[i]!;
    return this;
  }

  /** this &= ~other */
  andNot(other: Bitset): this {
    const a = this.words;
    const b = other.words;
    for (let i = 0; i < a.length; i++) a[i]! &= ~b[i]!;
    return this;
  }

  copy(): Bitset {
    const b = new Bitset(this.size);
    b.words.set(this.words);
    return b;
  }

  count(): number {
    let n = 0;
    for (let w of this.words) {
      w = w - ((w >>> 1) & 0x55555555);
      w = (w & 0x33333333) + ((w >>> 2) & 0x33333333);
      n += (((w + (w >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
    }
    return n;
  }

  /** Set bits in ascending order. */
  toArray(): Int32Array {
    const out = new Int32Array(this.count());
    let k = 0;
    const w = this.words;
    for (let i = 0; i < w.length; i++) {
      let x = w[i]!;
      while (x !== 0) {
        const t = x & -x;
        out[k++] = (i << 5) + (31 - Math.clz32(t));
        x ^= t;
      }
    }
    return out;
  }
}
