import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { SessionState, SessionUser } from '../../../shared/ipc';
import { CoreError, isCoreError } from '../errors';
import type { Logger } from '../log/logger';
import type { SecretStore } from '../vault/secret-store';
import { RefreshRejectedError, type OidcClient, type TokenSet } from './oidc-client';
import { runSignInFlow, type BrowserLauncher } from './sign-in-flow';

/** What one keychain entry holds: the refresh token and who it belongs to (for offline start). */
const storedSessionSchema = z.object({
  v: z.literal(1),
  refreshToken: z.string().min(1),
  user: z.object({ id: z.string().min(1), name: z.string().optional(), email: z.string().optional() }),
});
type StoredSession = z.infer<typeof storedSessionSchema>;

export interface SessionManagerOptions {
  readonly oidc: OidcClient;
  /** The keychain, or the in-memory fallback when there is none (fail closed). */
  readonly store: SecretStore;
  readonly issuer: string;
  /**
   * What else a stored session belongs to besides its issuer (see {@link sessionBinding}): a
   * session signed in for one key service and client is never used for another, so a start with
   * other endpoints (from the environment) cannot send a stored session's tokens there unasked.
   */
  readonly binding: string;
  readonly scope: string;
  readonly audience: string;
  readonly openBrowser: BrowserLauncher;
  readonly signInTimeoutMs: number;
  readonly logger: Logger;
  readonly clock?: () => number;
  /** Refresh this long before the access token expires. */
  readonly refreshSkewMs?: number;
}

type Listener = (state: SessionState) => void;

/** What a session is bound to besides its issuer: the client, the audience and the key service. */
export function sessionBinding(o: { clientId: string; audience: string; keyServiceUrl: string }): string {
  return JSON.stringify([o.clientId, o.audience, o.keyServiceUrl]);
}

/** `b` + 16 hex digits of SHA-256(binding): how a keychain account names its binding. */
const bindingTag = (binding: string): string =>
  `b${createHash('sha256').update(binding).digest('hex').slice(0, 16)}`;
const BOUND = /^b[0-9a-f]{16}#/;

/** The keychain account of a session: its issuer, its binding, its subject. */
export function sessionAccount(issuer: string, binding: string, sub: string): string {
  return `${issuer}#${bindingTag(binding)}#${sub}`;
}

/**
 * The OIDC session. The refresh token lives in the {@link SecretStore} (account per issuer and
 * subject) and the access token only in memory. Refreshes are single-flight; a rotated refresh
 * token is stored before the new access token is handed out; `invalid_grant` ends the session
 * cleanly. Every state change is announced to listeners (the renderer hears `session:changed`).
 */
export class SessionManager {
  readonly #o: SessionManagerOptions;
  readonly #listeners = new Set<Listener>();
  #state: SessionState;
  #refreshToken: string | null = null;
  #access: { token: string; expiresAt: number } | null = null;
  #account: string | null = null;
  #user: SessionUser | null = null;
  #refreshing: Promise<string> | null = null;
  #signIn: AbortController | null = null;
  /** Bumped whenever the session identity changes, so late results of old work are dropped. */
  #generation = 0;

  constructor(options: SessionManagerOptions) {
    this.#o = options;
    this.#state = { status: 'signed-out', reason: 'initial', keychainAvailable: this.#keychain };
  }

  get #keychain(): boolean {
    return this.#o.store.kind === 'keychain';
  }

  #now(): number {
    return (this.#o.clock ?? Date.now)();
  }

  /** The current state (what `auth:getSession` answers). */
  get state(): SessionState {
    return this.#state;
  }

  /** Subscribes to state changes; returns an unsubscribe. */
  onChange(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  #setState(state: SessionState): void {
    this.#state = state;
    for (const listener of this.#listeners) {
      try {
        listener(state);
      } catch (error) {
        this.#o.logger.warn('session.listener-failed', {
          errorName: error instanceof Error ? error.name : typeof error,
        });
      }
    }
  }

  #signedIn(): SessionState {
    return {
      status: 'signed-in',
      user: this.#user ?? { id: '' },
      persistence: this.#keychain && this.#account !== null ? 'keychain' : 'session-only',
      keychainAvailable: this.#keychain,
    };
  }

  #accountFor(sub: string): string {
    return sessionAccount(this.#o.issuer, this.#o.binding, sub);
  }

  /**
   * Silent sign-in at start: reads the stored session for this issuer and refreshes it. Offline
   * keeps the person signed in (the refresh waits for the network); a refused refresh token
   * signs out and removes the entry.
   */
  async start(): Promise<SessionState> {
    if (!this.#keychain) {
      this.#o.logger.warn('session.keychain-unavailable');
      return this.#state;
    }
    // The keychain may wait on an unlock prompt; a sign-in the person started meanwhile wins.
    const generation = this.#generation;
    const overtaken = (): boolean =>
      generation !== this.#generation || this.#signIn !== null || this.#state.status !== 'signed-out';
    const issuerPrefix = `${this.#o.issuer}#`;
    const prefix = `${issuerPrefix}${bindingTag(this.#o.binding)}#`;
    let stored: { account: string; session: StoredSession } | null = null;
    for (const account of await this.#o.store.list()) {
      if (!account.startsWith(issuerPrefix)) continue;
      if (!account.startsWith(prefix)) {
        // Another configuration's session is not ours to use. One stored before sessions were
        // bound to their configuration is removed: its endpoints are unknown (sign in once more).
        if (!BOUND.test(account.slice(issuerPrefix.length))) {
          this.#o.logger.warn('session.unbound-entry-removed');
          const old = storedSessionSchema.safeParse(safeJson(await this.#o.store.get(account)));
          await this.#o.store.delete(account);
          // Revoked too (same issuer), without holding the start up: offline, it simply fails.
          if (old.success)
            this.#o.oidc.revoke(old.data.refreshToken).catch(() => {
              this.#o.logger.info('session.unbound-entry-revoke-failed');
            });
        }
        continue;
      }
      const parsed = storedSessionSchema.safeParse(safeJson(await this.#o.store.get(account)));
      if (!parsed.success || this.#accountFor(parsed.data.user.id) !== account) {
        this.#o.logger.warn('session.stored-entry-invalid');
        await this.#o.store.delete(account);
        continue;
      }
      stored = { account, session: parsed.data };
      break;
    }
    if (!stored || overtaken()) return this.#state;
    this.#generation += 1;
    this.#account = stored.account;
    this.#user = stored.session.user;
    this.#refreshToken = stored.session.refreshToken;
    this.#setState(this.#signedIn());
    try {
      await this.getAccessToken();
      this.#o.logger.info('session.silent-sign-in');
    } catch (error) {
      if (!isCoreError(error, 'unauthenticated'))
        this.#o.logger.warn('session.silent-refresh-deferred', { errorCode: codeOf(error) });
    }
    return this.#state;
  }

  /** Interactive sign-in in the system browser. */
  async signIn(): Promise<SessionState> {
    if (this.#state.status === 'signed-in') return this.#state;
    if (this.#signIn)
      throw new CoreError('sign-in-in-progress', 'A sign-in is already waiting for the browser.');
    const controller = new AbortController();
    this.#signIn = controller;
    const previous = this.#state;
    this.#setState({ status: 'signing-in', keychainAvailable: this.#keychain });
    try {
      const tokens = await runSignInFlow({
        oidc: this.#o.oidc,
        openBrowser: this.#o.openBrowser,
        scope: this.#o.scope,
        resource: this.#o.audience,
        timeoutMs: this.#o.signInTimeoutMs,
        signal: controller.signal,
        logger: this.#o.logger,
      });
      if (!tokens.claims) throw new CoreError('sign-in-failed', 'The identity provider sent no ID token.');
      this.#generation += 1;
      this.#user = tokens.claims.sub ? { id: tokens.claims.sub, ...pickProfile(tokens.claims) } : null;
      if (!this.#user) throw new CoreError('sign-in-failed', 'The ID token names no subject.');
      this.#account = this.#accountFor(this.#user.id);
      this.#refreshToken = tokens.refreshToken ?? null;
      const generation = this.#generation;
      if (tokens.refreshToken) await this.#persist(tokens.refreshToken);
      else this.#account = null;
      if (generation !== this.#generation)
        throw new CoreError('sign-in-cancelled', 'Signed out while signing in.');
      this.#access = { token: tokens.accessToken, expiresAt: tokens.expiresAt };
      this.#setState(this.#signedIn());
      return this.#state;
    } catch (error) {
      this.#setState(
        previous.status === 'signed-out'
          ? previous
          : { status: 'signed-out', reason: 'error', keychainAvailable: this.#keychain },
      );
      throw error;
    } finally {
      this.#signIn = null;
    }
  }

  /** Stops waiting for the browser. */
  cancelSignIn(): void {
    this.#signIn?.abort();
  }

  /**
   * Signs out: drops the tokens, deletes the keychain entry, revokes the refresh token at the
   * IdP (best effort: the local session ends even when the IdP is unreachable).
   */
  async signOut(): Promise<SessionState> {
    this.cancelSignIn();
    const refreshToken = this.#refreshToken;
    const account = this.#account;
    this.#generation += 1;
    this.#clear();
    if (account) {
      try {
        await this.#o.store.delete(account);
      } catch (error) {
        this.#o.logger.error('session.keychain-delete-failed', {
          errorName: error instanceof Error ? error.name : typeof error,
        });
      }
    }
    this.#setState({ status: 'signed-out', reason: 'signed-out', keychainAvailable: this.#keychain });
    if (refreshToken) {
      try {
        await this.#o.oidc.revoke(refreshToken);
        this.#o.logger.info('session.revoked');
      } catch (error) {
        this.#o.logger.warn('session.revoke-failed', { errorCode: codeOf(error) });
      }
    }
    return this.#state;
  }

  /** A valid access token, refreshing (single-flight) when it is missing or about to expire. */
  async getAccessToken(): Promise<string> {
    const skew = this.#o.refreshSkewMs ?? 30_000;
    if (this.#access && this.#access.expiresAt - skew > this.#now()) return this.#access.token;
    return this.refresh();
  }

  /** Forces a refresh (e.g. after a 401); concurrent callers share one token request. */
  refresh(): Promise<string> {
    this.#refreshing ??= this.#doRefresh().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  async #doRefresh(): Promise<string> {
    const refreshToken = this.#refreshToken;
    if (!refreshToken) throw new CoreError('unauthenticated', 'Sign in to continue.');
    const generation = this.#generation;
    let tokens: TokenSet;
    try {
      tokens = await this.#o.oidc.refresh(refreshToken, this.#o.audience);
    } catch (error) {
      if (error instanceof RefreshRejectedError && generation === this.#generation) {
        this.#o.logger.warn('session.refresh-rejected');
        await this.#end('expired');
      }
      throw error;
    }
    if (generation !== this.#generation)
      throw new CoreError('unauthenticated', 'The session changed while refreshing.');
    if (tokens.refreshToken && tokens.refreshToken !== refreshToken) {
      this.#refreshToken = tokens.refreshToken;
      // Stored before the new access token is used: a crash now still leaves a working token.
      await this.#persist(tokens.refreshToken);
      // Signed out (or in as someone else) while the keychain was written: this token is not ours.
      if (generation !== this.#generation)
        throw new CoreError('unauthenticated', 'The session changed while refreshing.');
    }
    if (tokens.claims && this.#user && tokens.claims.sub === this.#user.id)
      this.#user = { id: this.#user.id, ...pickProfile(tokens.claims) };
    this.#access = { token: tokens.accessToken, expiresAt: tokens.expiresAt };
    return tokens.accessToken;
  }

  async #persist(refreshToken: string): Promise<void> {
    const account = this.#account;
    if (!account || !this.#user) return;
    const generation = this.#generation;
    const entry: StoredSession = { v: 1, refreshToken, user: this.#user };
    try {
      await this.#o.store.set(account, JSON.stringify(entry));
      // A sign-out that ran meanwhile deleted the entry before this write landed: undo the write,
      // or the next start would sign the person back in.
      if (generation !== this.#generation && this.#account !== account) await this.#o.store.delete(account);
    } catch (error) {
      if (generation !== this.#generation) return;
      // The token stays in memory: this run keeps working, the next start asks to sign in.
      this.#o.logger.error('session.keychain-write-failed', {
        errorName: error instanceof Error ? error.name : typeof error,
      });
      this.#account = null;
      if (this.#state.status === 'signed-in') this.#setState(this.#signedIn());
    }
  }

  async #end(reason: 'expired' | 'error'): Promise<void> {
    const account = this.#account;
    this.#generation += 1;
    this.#clear();
    if (account) await this.#o.store.delete(account).catch(() => false);
    this.#setState({ status: 'signed-out', reason, keychainAvailable: this.#keychain });
  }

  #clear(): void {
    this.#refreshToken = null;
    this.#access = null;
    this.#account = null;
    this.#user = null;
  }
}

function pickProfile(claims: { name?: string; email?: string }): Omit<SessionUser, 'id'> {
  return { ...(claims.name ? { name: claims.name } : {}), ...(claims.email ? { email: claims.email } : {}) };
}

function safeJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function codeOf(error: unknown): string {
  return error instanceof CoreError ? error.code : error instanceof Error ? error.name : typeof error;
}
