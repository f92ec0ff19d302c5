/**
 * Limits failed sign-ins per username (whether or not the account exists, so the limit itself
 * reveals nothing): after `maxFailures` failures within `windowMs`, further attempts for that
 * username are refused until the window has passed. In memory: a restart clears it.
 */
export class LoginThrottle {
  readonly #failures = new Map<string, { count: number; since: number }>();

  constructor(
    readonly maxFailures: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  static #key(username: string): string {
    return username.trim().toLowerCase();
  }

  /** Milliseconds until `username` may try again; 0 when it may try now. */
  retryAfterMs(username: string): number {
    const entry = this.#failures.get(LoginThrottle.#key(username));
    if (!entry) return 0;
    const elapsed = this.now() - entry.since;
    if (elapsed >= this.windowMs) {
      this.#failures.delete(LoginThrottle.#key(username));
      return 0;
    }
    return entry.count >= this.maxFailures ? this.windowMs - elapsed : 0;
  }

  /** Records a failed attempt. */
  fail(username: string): void {
    const key = LoginThrottle.#key(username);
    const now = this.now();
    const entry = this.#failures.get(key);
    if (!entry || now - entry.since >= this.windowMs) this.#failures.set(key, { count: 1, since: now });
    else entry.count += 1;
    if (this.#failures.size > 10_000) this.#prune(now);
  }

  /** Forgets the failures of a username after a successful sign-in. */
  succeed(username: string): void {
    this.#failures.delete(LoginThrottle.#key(username));
  }

  #prune(now: number): void {
    for (const [key, entry] of this.#failures)
      if (now - entry.since >= this.windowMs) this.#failures.delete(key);
  }
}
