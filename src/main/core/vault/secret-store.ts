/**
 * Where secrets (refresh tokens, later the outbox key) are kept. The app's real store is the
 * OS keychain; when there is none the app fails closed to {@link MemorySecretStore} — the
 * session lasts until the app quits, and nothing secret is ever written to a file.
 */
export interface SecretStore {
  /** `keychain` persists across restarts; `memory` does not. */
  readonly kind: 'keychain' | 'memory';
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  /** Resolves `true` when an entry was removed. */
  delete(account: string): Promise<boolean>;
  /** Accounts that hold an entry. */
  list(): Promise<string[]>;
}

/** The keychain service name every entry of this app is filed under. */
export const KEYCHAIN_SERVICE = 'NewDreamFlow';

/** In-memory store: the session-only fallback and a test double. */
export class MemorySecretStore implements SecretStore {
  readonly kind = 'memory' as const;
  readonly #entries = new Map<string, string>();

  get(account: string): Promise<string | null> {
    return Promise.resolve(this.#entries.get(account) ?? null);
  }

  set(account: string, secret: string): Promise<void> {
    this.#entries.set(account, secret);
    return Promise.resolve();
  }

  delete(account: string): Promise<boolean> {
    return Promise.resolve(this.#entries.delete(account));
  }

  list(): Promise<string[]> {
    return Promise.resolve([...this.#entries.keys()]);
  }
}
