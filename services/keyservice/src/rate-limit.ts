/**
 * Per-user token buckets. In-memory per instance: the service is stateless, so behind a load
 * balancer each instance enforces its own budget (document the effective limit as N × budget, or
 * put a shared limiter at the edge).
 */
export interface RateLimiter {
  /**
   * Takes `cost` tokens (default 1, at most the burst) for `key`, all or none; returns 0 when
   * allowed, else the seconds to wait.
   */
  take(key: string, cost?: number): number;
}

/** Options of {@link createRateLimiter}. */
export interface RateLimitOptions {
  perMinute: number;
  burst: number;
  /** Injectable clock (ms) for tests. */
  now?: () => number;
  /** Buckets kept before idle ones are swept. */
  maxKeys?: number;
}

/** A token-bucket limiter: `burst` tokens, refilled continuously at `perMinute`. */
export function createRateLimiter(options: RateLimitOptions): RateLimiter {
  const now = options.now ?? Date.now;
  const ratePerMs = options.perMinute / 60_000;
  const maxKeys = options.maxKeys ?? 100_000;
  const buckets = new Map<string, { tokens: number; at: number }>();

  function sweep(t: number): void {
    // Drop buckets that have refilled completely: they carry no information.
    for (const [k, b] of buckets) if (b.tokens + (t - b.at) * ratePerMs >= options.burst) buckets.delete(k);
  }

  return {
    take(key, cost = 1) {
      const need = Math.min(Math.max(1, cost), options.burst);
      const t = now();
      let b = buckets.get(key);
      if (!b) {
        if (buckets.size >= maxKeys) sweep(t);
        b = { tokens: options.burst, at: t };
        buckets.set(key, b);
      }
      b.tokens = Math.min(options.burst, b.tokens + (t - b.at) * ratePerMs);
      b.at = t;
      if (b.tokens >= need) {
        b.tokens -= need;
        return 0;
      }
      return Math.max(1, Math.ceil((need - b.tokens) / ratePerMs / 1000));
    },
  };
}
