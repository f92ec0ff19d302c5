import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limit';

describe('rate limiter', () => {
  it('allows a burst, then asks to wait, then refills', () => {
    let t = 0;
    const limiter = createRateLimiter({ perMinute: 60, burst: 3, now: () => t });
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBe(1);
    expect(limiter.take('b')).toBe(0); // per user
    t += 1000;
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBeGreaterThanOrEqual(1);
  });

  it('takes a cost all or nothing, capped at the burst', () => {
    let t = 0;
    const limiter = createRateLimiter({ perMinute: 60, burst: 3, now: () => t });
    expect(limiter.take('a', 2)).toBe(0);
    expect(limiter.take('a', 2)).toBe(1); // one token left: nothing taken
    expect(limiter.take('a')).toBe(0);
    t += 3000;
    expect(limiter.take('a', 50)).toBe(0); // capped at the burst, so a full bucket always pays
    expect(limiter.take('a')).toBe(1);
  });

  it('sweeps full buckets instead of growing without bound', () => {
    let t = 0;
    const limiter = createRateLimiter({ perMinute: 60, burst: 2, now: () => t, maxKeys: 10 });
    for (let i = 0; i < 100; i++) {
      limiter.take(`u${i}`);
      t += 5_000;
    }
    expect(limiter.take('u99')).toBe(0);
  });
});
