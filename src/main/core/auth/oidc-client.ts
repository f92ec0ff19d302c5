import * as client from 'openid-client';
import { isLoopbackUrl } from '../config/app-config';
import { CoreError } from '../errors';
import type { Logger } from '../log/logger';

/** Tokens as the session keeps them (the access token never leaves main). */
export interface TokenSet {
  readonly accessToken: string;
  /** Epoch ms. */
  readonly expiresAt: number;
  /** Present when the IdP issued or rotated one. */
  readonly refreshToken?: string;
  /** Claims of the ID token, when one came with the response. */
  readonly claims?: { sub: string; name?: string; email?: string };
}

/** The refresh token was refused (`invalid_grant`): the session is over; do not retry. */
export class RefreshRejectedError extends CoreError {
  constructor() {
    super('unauthenticated', 'The session has ended. Sign in again.');
  }
}

export interface OidcClientOptions {
  readonly issuer: string;
  readonly clientId: string;
  /**
   * The `prompt` sent with the authorization request: `consent` when undefined, none when null.
   * The embedded dev IdP (oidc-provider) issues a refresh token only with `consent`; most hosted
   * IdPs issue one for `offline_access` without asking every time.
   */
  readonly prompt?: 'consent' | 'login' | 'select_account' | null | undefined;
  readonly logger: Logger;
  /** Replaces global fetch for every request to the IdP (tests count token requests with it). */
  readonly fetch?: typeof fetch;
  readonly clock?: () => number;
}

/** Parameters of one authorization request. */
export interface AuthorizationRequest {
  readonly redirectUri: string;
  readonly scope: string;
  readonly resource: string;
  readonly state: string;
  readonly nonce: string;
  readonly codeChallenge: string;
}

/**
 * openid-client v6 behind the few operations the app needs. Discovery pins the issuer
 * (openid-client rejects metadata whose `issuer` differs from the URL asked); plain http is
 * allowed only for loopback issuers (the embedded dev IdP), never for remote ones.
 */
export class OidcClient {
  #config: Promise<client.Configuration> | undefined;
  constructor(private readonly options: OidcClientOptions) {}

  /** Discovers once; a failed discovery is retried on the next call (the IdP may be offline). */
  configuration(): Promise<client.Configuration> {
    this.#config ??= this.#discover().catch((error: unknown) => {
      this.#config = undefined;
      throw error;
    });
    return this.#config;
  }

  async #discover(): Promise<client.Configuration> {
    const issuer = new URL(this.options.issuer);
    const insecure = issuer.protocol === 'http:';
    if (insecure && !isLoopbackUrl(issuer))
      throw new CoreError('sign-in-failed', 'The identity provider must use https.');
    const options: client.DiscoveryRequestOptions = { timeout: 15 };
    // Plain http only for a loopback issuer (checked above): the embedded dev IdP.
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- deprecated only to flag it; loopback-only use is its purpose.
    if (insecure) options.execute = [client.allowInsecureRequests];
    const customFetch = this.options.fetch;
    // openid-client's request options are a subset of RequestInit (typed apart from the DOM lib's).
    if (customFetch)
      options[client.customFetch] = (url: string, init: unknown) => customFetch(url, init as RequestInit);
    try {
      return await client.discovery(
        issuer,
        this.options.clientId,
        { token_endpoint_auth_method: 'none' },
        client.None(),
        options,
      );
    } catch (error) {
      throw toCoreError(
        error,
        'sign-in-failed',
        'The identity provider could not be reached or is misconfigured.',
      );
    }
  }

  /** The URL to open in the system browser (code flow, PKCE S256, state, nonce). */
  async authorizationUrl(request: AuthorizationRequest): Promise<URL> {
    const config = await this.configuration();
    return client.buildAuthorizationUrl(config, {
      redirect_uri: request.redirectUri,
      response_type: 'code',
      scope: request.scope,
      resource: request.resource,
      state: request.state,
      nonce: request.nonce,
      code_challenge: request.codeChallenge,
      code_challenge_method: 'S256',
      ...(this.options.prompt === null ? {} : { prompt: this.options.prompt ?? 'consent' }),
    });
  }

  /**
   * Validates the authorization response (state, iss, error) and exchanges the code. Any
   * validation failure throws before a token request is made.
   */
  async exchangeCode(
    callbackUrl: URL,
    checks: { verifier: string; state: string; nonce: string; resource: string },
  ): Promise<TokenSet> {
    const config = await this.configuration();
    try {
      const response = await client.authorizationCodeGrant(
        config,
        callbackUrl,
        {
          pkceCodeVerifier: checks.verifier,
          expectedState: checks.state,
          expectedNonce: checks.nonce,
          idTokenExpected: true,
        },
        { resource: checks.resource },
      );
      return this.#tokenSet(response);
    } catch (error) {
      throw toCoreError(
        error,
        'sign-in-failed',
        'Sign-in failed: the identity provider’s answer was refused.',
      );
    }
  }

  /** Refreshes; `invalid_grant` becomes {@link RefreshRejectedError}, network trouble `offline`. */
  async refresh(refreshToken: string, resource: string): Promise<TokenSet> {
    const config = await this.configuration();
    try {
      return this.#tokenSet(await client.refreshTokenGrant(config, refreshToken, { resource }));
    } catch (error) {
      if (error instanceof client.ResponseBodyError && error.error === 'invalid_grant')
        throw new RefreshRejectedError();
      throw toCoreError(error, 'unavailable', 'The identity provider could not refresh the session.');
    }
  }

  /** Revokes a refresh token (RFC 7009). */
  async revoke(refreshToken: string): Promise<void> {
    const config = await this.configuration();
    await client.tokenRevocation(config, refreshToken, { token_type_hint: 'refresh_token' });
  }

  #tokenSet(response: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers): TokenSet {
    const now = (this.options.clock ?? Date.now)();
    const expiresIn = response.expiresIn() ?? 300;
    const claims = response.claims();
    return {
      accessToken: response.access_token,
      expiresAt: now + expiresIn * 1000,
      ...(response.refresh_token ? { refreshToken: response.refresh_token } : {}),
      ...(claims
        ? {
            claims: {
              sub: claims.sub,
              ...(typeof claims['name'] === 'string' ? { name: claims['name'] } : {}),
              ...(typeof claims['email'] === 'string' ? { email: claims['email'] } : {}),
            },
          }
        : {}),
    };
  }
}

/** Maps library and network errors to a {@link CoreError} without leaking their messages. */
function toCoreError(error: unknown, code: 'sign-in-failed' | 'unavailable', message: string): CoreError {
  if (error instanceof CoreError) return error;
  if (isNetworkError(error))
    return new CoreError('offline', 'The identity provider is not reachable.', undefined, { cause: error });
  if (error instanceof client.AuthorizationResponseError && error.error === 'access_denied') {
    return new CoreError('sign-in-cancelled', 'Sign-in was declined in the browser.', undefined, {
      cause: error,
    });
  }
  return new CoreError(code, message, undefined, { cause: error });
}

function isNetworkError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TypeError' && /fetch failed/i.test(error.message)) return true;
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return true;
  const cause = (error as { cause?: unknown }).cause;
  return cause !== undefined && cause !== error && isNetworkError(cause);
}
