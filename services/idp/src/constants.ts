/** Default port of `npm run idp` (DESIGN.md: the dev IdP on 127.0.0.1:7701). */
export const DEFAULT_PORT = 7701;

/** The desktop app's client id: a public native client (no secret; PKCE S256). */
export const DESKTOP_CLIENT_ID = 'newdreamflow-desktop';

/**
 * The desktop app's registered redirect URI. Per RFC 8252 §7.3 any port on 127.0.0.1 matches,
 * so the app listens on an ephemeral port and sends e.g. `http://127.0.0.1:53124/callback`.
 * `localhost` and `[::1]` are not registered and are refused.
 */
export const DESKTOP_REDIRECT_URI = 'http://127.0.0.1/callback';

/** Registered post-logout redirect URIs of the desktop app (any port on 127.0.0.1, as above). */
export const DESKTOP_POST_LOGOUT_REDIRECT_URIS = [
  'http://127.0.0.1/logged-out',
  'http://127.0.0.1/callback',
] as const;

/**
 * Default audience (RFC 8707 resource indicator) of the access tokens: the key service. An
 * identifier, not a URL anyone fetches, so it stays the same whatever port the key service uses.
 * The key service must be configured with the same value (`OIDC_AUDIENCE`).
 */
export const DEFAULT_AUDIENCE = 'https://keyservice.newdreamflow.local';

/** Scopes of the key service's resource: what an access token for it may carry. */
export const DEFAULT_RESOURCE_SCOPES = ['journal'] as const;

/** OpenID scopes this provider supports besides the resource scopes. */
export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

/**
 * What the desktop app requests: identity, profile, a refresh token (`offline_access`, which
 * also needs `prompt=consent`) and the key service's `journal` scope.
 */
export const DEFAULT_SCOPE = 'openid profile email offline_access journal';

/** Algorithm of access and ID tokens (the one Auth0, Okta and Entra default to as well). */
export const TOKEN_SIGNING_ALG = 'RS256';

/** Default lifetimes, in seconds. */
export const DEFAULT_TTL = {
  /** Access tokens are short: the key service cannot revoke a JWT it verifies offline. */
  accessToken: 10 * 60,
  /** A refresh token's lifetime; each rotation issues a new one with a fresh lifetime… */
  refreshToken: 14 * 24 * 60 * 60,
  /** …but never past the end of the grant: the longest a sign-in lasts without signing in again. */
  grant: 30 * 24 * 60 * 60,
} as const;
