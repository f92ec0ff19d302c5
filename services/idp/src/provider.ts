import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { AccountStore } from './accounts';
import {
  DESKTOP_CLIENT_ID,
  DESKTOP_POST_LOGOUT_REDIRECT_URIS,
  DESKTOP_REDIRECT_URI,
  OIDC_SCOPES,
  TOKEN_SIGNING_ALG,
} from './constants';
import type { KeyMaterial } from './keys';
import { errorPage, loggedOutPage, logoutPage, pageHeaders } from './pages';
import type { TokenStore } from './token-store';

/** Everything {@link createProvider} needs, already validated. */
export interface ProviderSettings {
  issuer: string;
  audience: string;
  resourceScopes: readonly string[];
  accounts: AccountStore;
  keys: KeyMaterial;
  store: TokenStore;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  grantTtlSeconds: number;
  /** Extra redirect URIs for the desktop client (e.g. tests using another path). */
  extraRedirectUris: readonly string[];
  /** Trust X-Forwarded-* headers (only behind a reverse proxy that sets them). */
  trustProxy: boolean;
}

const SCOPE_DESCRIPTIONS: Record<string, string> = {
  openid: 'Know who you are on this provider',
  profile: 'See your name and username',
  email: 'See your email address',
  offline_access: 'Stay signed in until you sign out',
  journal: 'Read and write your dreams, things, stories and patterns',
};

/** The consent page's wording for a scope. */
export function describeScope(scope: string): string {
  return SCOPE_DESCRIPTIONS[scope] ?? `Use the "${scope}" permission`;
}

function sendPage(
  ctx: KoaContextWithOIDC,
  status: number,
  html: string,
  formTargets: readonly string[] = [],
): void {
  ctx.status = status;
  ctx.set(pageHeaders(formTargets));
  ctx.body = html;
}

/**
 * Builds the oidc-provider instance: one public native client, code flow only, PKCE S256 for every
 * client, JWT access tokens (RFC 9068) for the key service's audience, rotating refresh tokens,
 * revocation and RP-initiated logout, with this package's own pages.
 */
export function createProvider(settings: ProviderSettings): Provider {
  const { accounts, audience } = settings;
  const grantRemaining = (ctx: KoaContextWithOIDC | undefined): number | undefined => {
    const exp = ctx?.oidc.entities.Grant?.exp;
    // Rounded up, so the refresh token's exp (whole seconds from now, rounded down) stays ≤ the grant's.
    return typeof exp === 'number' ? Math.max(1, exp - Math.ceil(Date.now() / 1000)) : undefined;
  };

  const configuration: Configuration = {
    clients: [
      {
        client_id: DESKTOP_CLIENT_ID,
        client_name: 'NewDreamFlow',
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [DESKTOP_REDIRECT_URI, ...settings.extraRedirectUris],
        post_logout_redirect_uris: [...DESKTOP_POST_LOGOUT_REDIRECT_URIS],
        id_token_signed_response_alg: TOKEN_SIGNING_ALG,
      },
    ],
    adapter: (name: string) => settings.store.adapterFor(name),
    jwks: { keys: settings.keys.signingKeys },
    cookies: {
      // Cookies ignore ports: distinct names keep other 127.0.0.1 services' cookies apart.
      names: { session: 'ndf_idp_session', interaction: 'ndf_idp_interaction', resume: 'ndf_idp_resume' },
      keys: settings.keys.cookieKeys,
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    findAccount: (_ctx, sub) => {
      const account = accounts.findBySub(sub);
      if (!account) return undefined;
      return { accountId: account.sub, claims: () => ({ ...AccountStore.claimsOf(account) }) };
    },
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username', 'picture'],
      email: ['email', 'email_verified'],
    },
    scopes: [...OIDC_SCOPES],
    // Put the profile claims in the ID token too: the app reads its user's name from it.
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    pkce: { required: () => true },
    clientBasedCORS: () => false,
    enabledJWA: {
      idTokenSigningAlgValues: ['RS256', 'ES256'],
      userinfoSigningAlgValues: ['RS256', 'ES256'],
      authorizationSigningAlgValues: ['RS256', 'ES256'],
      introspectionSigningAlgValues: ['RS256', 'ES256'],
    },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      // Access tokens are always for the key service (see resourceIndicators), so the userinfo
      // endpoint could never accept one: it is off, and the ID token carries the profile claims.
      userinfo: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          const requested = ctx.oidc.params?.post_logout_redirect_uri;
          const target = typeof requested === 'string' ? URL.parse(requested) : null;
          sendPage(ctx, 200, logoutPage(form, ctx.oidc.client?.clientName), target ? [target.origin] : []);
        },
        postLogoutSuccessSource: (ctx) => sendPage(ctx, 200, loggedOutPage()),
      },
      resourceIndicators: {
        enabled: true,
        // Like Auth0's default audience: an app that names no resource gets a token for the key service.
        defaultResource: (_ctx, _client, oneOf) => oneOf ?? audience,
        // Code and refresh exchanges without `resource` keep the granted one (so still a JWT for it).
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          if (indicator !== audience) throw new errors.InvalidTarget(`unknown resource ${indicator}`);
          return {
            scope: settings.resourceScopes.join(' '),
            audience,
            accessTokenTTL: settings.accessTokenTtlSeconds,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: TOKEN_SIGNING_ALG } },
          };
        },
      },
    },
    // The key service builds `author` from these, so it needs no call back to the provider.
    extraTokenClaims: (_ctx, token) => {
      const account = 'accountId' in token ? accounts.findBySub(token.accountId) : undefined;
      if (!account) return undefined;
      const { name, preferred_username, picture } = AccountStore.claimsOf(account);
      return { name, preferred_username, ...(picture === undefined ? {} : { picture }) };
    },
    ttl: {
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? settings.accessTokenTtlSeconds,
      AuthorizationCode: 60,
      IdToken: 60 * 60,
      RefreshToken: (ctx) =>
        Math.min(settings.refreshTokenTtlSeconds, grantRemaining(ctx) ?? settings.refreshTokenTtlSeconds),
      Grant: settings.grantTtlSeconds,
      Session: settings.grantTtlSeconds,
      Interaction: 60 * 60,
      ClientCredentials: 10 * 60,
      DeviceCode: 10 * 60,
      BackchannelAuthenticationRequest: 10 * 60,
      PreAuthorizedCode: 10 * 60,
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError: (ctx, out) => {
      const message = out.error_description ?? 'The request could not be completed.';
      sendPage(
        ctx,
        ctx.status >= 400 ? ctx.status : 400,
        errorPage('Something went wrong', message, out.error),
      );
    },
  };

  const provider = new Provider(settings.issuer, configuration);
  provider.proxy = settings.trustProxy;
  return provider;
}
