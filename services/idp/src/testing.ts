/**
 * Test helpers for other packages: real tokens from the real flow, no browser needed.
 *
 * `loginWithHttp` drives the provider's own sign-in and consent pages over plain HTTP (cookie
 * jar, `redirect: 'manual'`) and returns the callback URL; `obtainTokens` wraps it in the full
 * authorization-code + PKCE exchange with openid-client.
 */
import * as oidc from 'openid-client';
import { CookieJar } from 'tough-cookie';
import { DEFAULT_SCOPE, DESKTOP_CLIENT_ID } from './constants';

/** The flow stopped somewhere other than the app's redirect URI. */
export class LoginFlowError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(message);
    this.name = 'LoginFlowError';
  }
}

/** Parameters of {@link loginWithHttp}; scope and client id default to the desktop app's. */
export interface LoginWithHttpParams {
  issuer: string;
  username: string;
  password: string;
  /** A loopback redirect such as `http://127.0.0.1:53124/callback`. */
  redirectUri: string;
  codeChallenge: string;
  state: string;
  nonce?: string;
  scope?: string;
  resource?: string;
  clientId?: string;
  /** Defaults to `consent` when the scope has `offline_access` (needed for a refresh token). */
  prompt?: string;
  /** The browser's cookie jar, to continue with the same provider session afterwards (e.g. sign-out). */
  jar?: CookieJar;
}

function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

/** openid-client options for this issuer: plain http is allowed only for a loopback issuer. */
function discoveryOptions(issuer: URL): oidc.DiscoveryRequestOptions | undefined {
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- deliberate, and only for loopback http issuers
  return isLoopbackHttp(issuer) ? { execute: [oidc.allowInsecureRequests] } : undefined;
}

/** openid-client configuration for the desktop client (public, PKCE) of an issuer. */
export async function discoverDesktopClient(
  issuer: string,
  clientId: string = DESKTOP_CLIENT_ID,
): Promise<oidc.Configuration> {
  const url = new URL(issuer);
  return oidc.discovery(url, clientId, undefined, oidc.None(), discoveryOptions(url));
}

/** Builds the authorization request URL exactly as the desktop app would. */
export async function buildAuthorizationRequest(
  params: Omit<LoginWithHttpParams, 'username' | 'password' | 'jar'>,
): Promise<URL> {
  const config = await discoverDesktopClient(params.issuer, params.clientId);
  const scope = params.scope ?? DEFAULT_SCOPE;
  const query: Record<string, string> = {
    redirect_uri: params.redirectUri,
    scope,
    code_challenge: params.codeChallenge,
    code_challenge_method: 'S256',
    state: params.state,
  };
  if (params.nonce !== undefined) query.nonce = params.nonce;
  if (params.resource !== undefined) query.resource = params.resource;
  const prompt = params.prompt ?? (scope.split(' ').includes('offline_access') ? 'consent' : undefined);
  if (prompt !== undefined) query.prompt = prompt;
  return oidc.buildAuthorizationUrl(config, query);
}

const FORM_ACTION = /<form[^>]*\baction="(\/interaction\/[^"/]+\/(login|confirm))"/;

/**
 * Follows an authorization request through the sign-in and consent pages over HTTP and returns
 * the URL the provider finally redirects to (the app's callback, with `code`, `state` and `iss`,
 * or with `error`). Throws {@link LoginFlowError} when the flow stops elsewhere, e.g. on a
 * wrong password or a refused request.
 */
export async function completeLoginWithHttp(
  authorizationUrl: URL,
  credentials: { username: string; password: string; jar?: CookieJar },
): Promise<string> {
  const jar = credentials.jar ?? new CookieJar();
  const origin = authorizationUrl.origin;
  const send = async (url: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    const cookie = await jar.getCookieString(url);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const setCookie of response.headers.getSetCookie()) await jar.setCookie(setCookie, url);
    return response;
  };
  const form = (fields: Record<string, string>): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
    body: new URLSearchParams(fields).toString(),
  });

  let response = await send(authorizationUrl.href);
  for (let step = 0; step < 20; step += 1) {
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, response.url || origin);
      await response.body?.cancel();
      if (next.origin !== origin) return next.href;
      response = await send(next.href);
      continue;
    }
    const body = await response.text();
    const action = response.status === 200 ? FORM_ACTION.exec(body) : null;
    if (!action?.[1]) {
      throw new LoginFlowError(
        `sign-in flow stopped with HTTP ${response.status} at ${response.url}`,
        response.status,
        body,
      );
    }
    const target = new URL(action[1], origin).href;
    response =
      action[2] === 'login'
        ? await send(target, form({ username: credentials.username, password: credentials.password }))
        : await send(target, form({}));
    if (action[2] === 'login' && (response.status === 401 || response.status === 429)) {
      const reason = response.status === 401 ? 'wrong username or password' : 'too many failed attempts';
      throw new LoginFlowError(`sign-in refused: ${reason}`, response.status, await response.text());
    }
  }
  throw new LoginFlowError('sign-in flow did not finish within 20 steps', 0, '');
}

/** Runs the sign-in and consent over HTTP; returns the callback URL (`code`, `state`, `iss`). */
export async function loginWithHttp(params: LoginWithHttpParams): Promise<string> {
  const url = await buildAuthorizationRequest(params);
  return completeLoginWithHttp(url, params);
}

/** Parameters of {@link obtainTokens}. */
export interface ObtainTokensParams {
  issuer: string;
  username: string;
  password: string;
  scope?: string;
  resource?: string;
  clientId?: string;
  /** Defaults to `http://127.0.0.1:<random port>/callback` (nothing needs to listen there). */
  redirectUri?: string;
}

/** Tokens from a completed flow. */
export interface ObtainedTokens {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  expires_in?: number;
  scope?: string;
  token_type: string;
}

/**
 * The full authorization-code + PKCE (S256) flow with openid-client v6, as the desktop app runs it:
 * state, nonce and `iss` checked, then the code exchanged. Returns real tokens from the provider.
 */
export async function obtainTokens(params: ObtainTokensParams): Promise<ObtainedTokens> {
  const config = await discoverDesktopClient(params.issuer, params.clientId);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const port = 20_000 + Math.floor(Math.random() * 40_000);
  const callback = await loginWithHttp({
    ...params,
    redirectUri: params.redirectUri ?? `http://127.0.0.1:${port}/callback`,
    codeChallenge: await oidc.calculatePKCECodeChallenge(verifier),
    state,
    nonce,
  });
  const tokens = await oidc.authorizationCodeGrant(config, new URL(callback), {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: (params.scope ?? DEFAULT_SCOPE).split(' ').includes('openid'),
  });
  return {
    access_token: tokens.access_token,
    token_type: tokens.token_type,
    ...(tokens.refresh_token === undefined ? {} : { refresh_token: tokens.refresh_token }),
    ...(tokens.id_token === undefined ? {} : { id_token: tokens.id_token }),
    ...(tokens.expires_in === undefined ? {} : { expires_in: tokens.expires_in }),
    ...(tokens.scope === undefined ? {} : { scope: tokens.scope }),
  };
}
