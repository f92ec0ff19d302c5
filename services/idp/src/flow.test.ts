import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { CookieJar } from 'tough-cookie';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_AUDIENCE, DESKTOP_CLIENT_ID, startIdp, type RunningIdp } from './index';
import {
  buildAuthorizationRequest,
  completeLoginWithHttp,
  discoverDesktopClient,
  LoginFlowError,
  loginWithHttp,
  obtainTokens,
} from './testing';

let idp: RunningIdp;
let ada: { username: string; password: string; sub: string };
let config: oidc.Configuration;

beforeAll(async () => {
  idp = await startIdp({ port: 0 });
  const account = idp.accounts.find((a) => a.username === 'ada');
  if (!account) throw new Error('demo account ada missing');
  ada = account;
  config = await discoverDesktopClient(idp.issuer);
});

afterAll(async () => {
  await idp.close();
});

const jwks = () => createRemoteJWKSet(new URL(idp.jwksUri));
const randomLoopback = (path = '/callback') =>
  `http://127.0.0.1:${20_000 + Math.floor(Math.random() * 40_000)}${path}`;

/** A raw authorization request (no openid-client), for the refusal cases. */
function authorizeUrl(params: Record<string, string>): string {
  const url = new URL('/auth', idp.issuer);
  const defaults = {
    client_id: DESKTOP_CLIENT_ID,
    response_type: 'code',
    scope: 'openid journal',
    state: 's',
    nonce: 'n',
  };
  for (const [key, value] of Object.entries({ ...defaults, ...params })) url.searchParams.set(key, value);
  return url.href;
}

/** Where the provider sends the browser for an authorization request: the app (redirect) or an error page. */
async function authorizeOutcome(
  params: Record<string, string>,
): Promise<{ status: number; location: URL | null; body: string; headers: Headers }> {
  const response = await fetch(authorizeUrl(params), { redirect: 'manual' });
  const location = response.headers.get('location');
  return {
    status: response.status,
    location: location ? new URL(location, idp.issuer) : null,
    body: await response.text(),
    headers: response.headers,
  };
}

describe('discovery', () => {
  it('publishes the endpoints, S256 only, code only, iss in the authorization response', () => {
    const meta = config.serverMetadata();
    expect(meta.issuer).toBe(idp.issuer);
    expect(meta.jwks_uri).toBe(idp.jwksUri);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect(meta.response_types_supported).toEqual(['code']);
    expect(meta.authorization_response_iss_parameter_supported).toBe(true);
    expect(meta.revocation_endpoint).toBe(`${idp.issuer}/token/revocation`);
    expect(meta.end_session_endpoint).toBe(`${idp.issuer}/session/end`);
    expect(meta.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'refresh_token']),
    );
    expect(meta.userinfo_endpoint).toBeUndefined();
  });

  it('publishes public signing keys only', async () => {
    const body = (await (await fetch(idp.jwksUri)).json()) as { keys: Record<string, unknown>[] };
    expect(body.keys.map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);
    for (const key of body.keys) {
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(secret);
    }
  });
});

describe('authorization code + PKCE with openid-client', () => {
  it('issues a JWT access token for the key service, an ID token with profile claims and a refresh token', async () => {
    const tokens = await obtainTokens({ issuer: idp.issuer, username: 'ada', password: ada.password });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.expires_in).toBe(600);
    expect(tokens.refresh_token).toBeTruthy();

    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks(), {
      issuer: idp.issuer,
      audience: idp.audience,
      typ: 'at+jwt',
      algorithms: ['RS256'],
    });
    expect(idp.audience).toBe(DEFAULT_AUDIENCE);
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload.sub).toBe(ada.sub);
    expect(payload.client_id).toBe(DESKTOP_CLIENT_ID);
    expect(payload.scope).toBe('journal');
    expect(payload.name).toBe('Ada Lovelace');
    expect(payload.preferred_username).toBe('ada');
    expect(typeof payload.jti).toBe('string');
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(600);

    const idToken = tokens.id_token ?? '';
    const { payload: id } = await jwtVerify(idToken, jwks(), {
      issuer: idp.issuer,
      audience: DESKTOP_CLIENT_ID,
    });
    expect(id.sub).toBe(ada.sub);
    expect(id.name).toBe('Ada Lovelace');
    expect(id.preferred_username).toBe('ada');
  });

  it('does not accept the ID token as an access token', async () => {
    const tokens = await obtainTokens({ issuer: idp.issuer, username: 'ada', password: ada.password });
    expect(decodeProtectedHeader(tokens.id_token ?? '').typ).not.toBe('at+jwt');
    await expect(
      jwtVerify(tokens.id_token ?? '', jwks(), { issuer: idp.issuer, audience: idp.audience, typ: 'at+jwt' }),
    ).rejects.toThrow();
  });

  it('gives each account its own stable subject', async () => {
    const grace = idp.accounts.find((a) => a.username === 'grace');
    if (!grace) throw new Error('demo account grace missing');
    const first = await obtainTokens({ issuer: idp.issuer, username: 'grace', password: grace.password });
    const second = await obtainTokens({ issuer: idp.issuer, username: 'grace', password: grace.password });
    const sub = async (token: string) =>
      (await jwtVerify(token, jwks(), { issuer: idp.issuer, audience: idp.audience })).payload.sub;
    expect(await sub(first.access_token)).toBe(grace.sub);
    expect(await sub(second.access_token)).toBe(grace.sub);
    expect(grace.sub).not.toBe(ada.sub);
  });

  it('returns code, state and iss on the loopback callback, on any port', async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    for (const redirectUri of [randomLoopback(), randomLoopback()]) {
      const callback = new URL(
        await loginWithHttp({
          issuer: idp.issuer,
          username: 'ada',
          password: ada.password,
          redirectUri,
          codeChallenge: await oidc.calculatePKCECodeChallenge(verifier),
          state: 'state-123',
          nonce: 'nonce-456',
        }),
      );
      expect(`${callback.origin}${callback.pathname}`).toBe(redirectUri);
      expect(callback.searchParams.get('state')).toBe('state-123');
      expect(callback.searchParams.get('iss')).toBe(idp.issuer);
      expect(callback.searchParams.get('code')).toBeTruthy();
    }
  });

  it('refuses a code exchanged with the wrong verifier (invalid_grant)', async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const callback = await loginWithHttp({
      issuer: idp.issuer,
      username: 'ada',
      password: ada.password,
      redirectUri: randomLoopback(),
      codeChallenge: await oidc.calculatePKCECodeChallenge(verifier),
      state: 'st',
    });
    const error = await oidc
      .authorizationCodeGrant(config, new URL(callback), {
        pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
        expectedState: 'st',
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(oidc.ResponseBodyError);
    expect((error as oidc.ResponseBodyError).error).toBe('invalid_grant');
  });

  it('refuses to exchange a code twice', async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const callback = await loginWithHttp({
      issuer: idp.issuer,
      username: 'ada',
      password: ada.password,
      redirectUri: randomLoopback(),
      codeChallenge: await oidc.calculatePKCECodeChallenge(verifier),
      state: 'st',
      scope: 'openid journal',
    });
    const checks = { pkceCodeVerifier: verifier, expectedState: 'st' };
    await oidc.authorizationCodeGrant(config, new URL(callback), checks);
    const error = await oidc.authorizationCodeGrant(config, new URL(callback), checks).then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as oidc.ResponseBodyError).error).toBe('invalid_grant');
  });
});

describe('authorization request checks', () => {
  const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

  it('refuses a request without a PKCE challenge', async () => {
    const outcome = await authorizeOutcome({ redirect_uri: randomLoopback() });
    expect(outcome.location?.searchParams.get('error')).toBe('invalid_request');
    expect(outcome.location?.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('refuses the plain PKCE method', async () => {
    const outcome = await authorizeOutcome({
      redirect_uri: randomLoopback(),
      code_challenge: challenge,
      code_challenge_method: 'plain',
    });
    expect(outcome.location?.searchParams.get('error')).toBe('invalid_request');
  });

  it('accepts S256 on a random loopback port and sends the browser to sign in', async () => {
    const outcome = await authorizeOutcome({
      redirect_uri: randomLoopback(),
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    expect(outcome.status).toBe(303);
    expect(outcome.location?.pathname).toMatch(/^\/interaction\/[\w-]+$/);
  });

  it.each([
    ['localhost', 'http://localhost:43210/callback'],
    ['[::1]', 'http://[::1]:43210/callback'],
    ['a non-loopback host', 'http://example.com:43210/callback'],
    ['https on 127.0.0.1', 'https://127.0.0.1:43210/callback'],
    ['another path', 'http://127.0.0.1:43210/elsewhere'],
    // Hostile spellings: look-alike hosts, userinfo, other loopback forms, path tricks, extra parts.
    ['a look-alike host', 'http://127.0.0.1.evil.example:43210/callback'],
    ['userinfo before another host', 'http://127.0.0.1@evil.example:43210/callback'],
    ['userinfo before 127.0.0.1', 'http://evil.example@127.0.0.1:43210/callback'],
    ['a backslash before another host', 'http://127.0.0.1:43210\\@evil.example/callback'],
    ['a fragment', 'http://127.0.0.1:43210/callback#x'],
    ['a query', 'http://127.0.0.1:43210/callback?next=https://evil.example'],
    ['an encoded path', 'http://127.0.0.1:43210/%63allback'],
    ['a dot-segment path', 'http://127.0.0.1:43210/x/../callback'],
    ['another case of the path', 'http://127.0.0.1:43210/Callback'],
    ['an uppercase scheme', 'HTTP://127.0.0.1:43210/callback'],
    ['a trailing-dot host', 'http://127.0.0.1.:43210/callback'],
    ['the decimal form of 127.0.0.1', 'http://2130706433:43210/callback'],
    ['the hex form of 127.0.0.1', 'http://0x7f.0.0.1:43210/callback'],
    ['the short form 127.1', 'http://127.1:43210/callback'],
    ['another loopback address', 'http://127.0.0.2:43210/callback'],
    ['an IPv4-mapped IPv6 loopback', 'http://[::ffff:127.0.0.1]:43210/callback'],
    ['an out-of-range port', 'http://127.0.0.1:99999/callback'],
  ])('refuses a redirect to %s without redirecting there', async (_name, redirectUri) => {
    const outcome = await authorizeOutcome({
      redirect_uri: redirectUri,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    expect(outcome.status).toBe(400);
    expect(outcome.location).toBeNull();
    expect(outcome.body).toContain('redirect_uri');
    expect(outcome.body).not.toContain('<script');
    expect(outcome.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(outcome.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses an unknown resource', async () => {
    const outcome = await authorizeOutcome({
      redirect_uri: randomLoopback(),
      code_challenge: challenge,
      code_challenge_method: 'S256',
      resource: 'https://elsewhere.example',
    });
    expect(outcome.location?.searchParams.get('error')).toBe('invalid_target');
  });

  it('refuses implicit and hybrid response types', async () => {
    const outcome = await authorizeOutcome({
      redirect_uri: randomLoopback(),
      code_challenge: challenge,
      code_challenge_method: 'S256',
      response_type: 'id_token',
    });
    expect(outcome.location?.searchParams.get('error') ?? outcome.body).toMatch(
      /unsupported_response_type|unauthorized_client/,
    );
  });
});

describe('token endpoint', () => {
  async function freshCode(redirectUri: string): Promise<{ code: string; verifier: string }> {
    const verifier = oidc.randomPKCECodeVerifier();
    const callback = await loginWithHttp({
      issuer: idp.issuer,
      username: 'ada',
      password: ada.password,
      redirectUri,
      codeChallenge: await oidc.calculatePKCECodeChallenge(verifier),
      state: 'st',
      scope: 'openid journal',
    });
    const code = new URL(callback).searchParams.get('code');
    if (!code) throw new Error('no code');
    return { code, verifier };
  }

  async function exchange(body: Record<string, string>): Promise<{ status: number; error: unknown }> {
    const response = await fetch(`${idp.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: DESKTOP_CLIENT_ID, ...body }),
    });
    return { status: response.status, error: ((await response.json()) as { error?: unknown }).error };
  }

  it('refuses a code without its PKCE verifier, or with another redirect URI (port included) or none', async () => {
    const redirectUri = randomLoopback();
    const otherPort = redirectUri.replace(/:(\d+)\//, (_m, port: string) => `:${Number(port) + 1}/`);
    const cases: Array<(c: { code: string; verifier: string }) => Record<string, string>> = [
      (c) => ({ code: c.code, redirect_uri: redirectUri }),
      (c) => ({ code: c.code, redirect_uri: otherPort, code_verifier: c.verifier }),
      (c) => ({ code: c.code, code_verifier: c.verifier }),
    ];
    for (const body of cases) {
      expect(await exchange(body(await freshCode(redirectUri)))).toEqual({
        status: 400,
        error: 'invalid_grant',
      });
    }
    const c = await freshCode(redirectUri);
    expect(
      (await exchange({ code: c.code, redirect_uri: redirectUri, code_verifier: c.verifier })).status,
    ).toBe(200);
  });
});

describe('sign-in page', () => {
  async function startLogin(): Promise<{ loginPage: string; cookies: string; action: string }> {
    const url = await buildAuthorizationRequest({
      issuer: idp.issuer,
      redirectUri: randomLoopback(),
      codeChallenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      state: 's',
    });
    const first = await fetch(url, { redirect: 'manual' });
    const interaction = new URL(first.headers.get('location') ?? '', idp.issuer);
    const cookies = first.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const page = await fetch(interaction, { headers: { cookie: cookies } });
    return { loginPage: await page.text(), cookies, action: `${interaction.href}/login` };
  }

  it('has labelled fields, a Sign in button and strict security headers', async () => {
    const url = await buildAuthorizationRequest({
      issuer: idp.issuer,
      redirectUri: randomLoopback(),
      codeChallenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      state: 's',
    });
    const first = await fetch(url, { redirect: 'manual' });
    const cookies = first.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const page = await fetch(new URL(first.headers.get('location') ?? '', idp.issuer), {
      headers: { cookie: cookies },
    });
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toMatch(/<label for="username">Username<\/label>/);
    expect(html).toMatch(/<label for="password">Password<\/label>/);
    expect(html).toMatch(/<button type="submit" form="login-form">Sign in<\/button>/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('script-src');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const interactionCookie =
      first.headers.getSetCookie().find((c) => c.startsWith('ndf_idp_interaction=')) ?? '';
    expect(interactionCookie).toMatch(/; httponly/i);
    expect(interactionCookie).toMatch(/; samesite=lax/i);
    expect(interactionCookie).toMatch(/; path=\/interaction\//i);
  });

  it('answers a wrong password and an unknown user alike, without redirecting', async () => {
    const bodies: string[] = [];
    for (const [username, password] of [
      ['ada', 'wrong-password'],
      ['nobody', 'wrong-password'],
    ] as const) {
      const { cookies, action } = await startLogin();
      const response = await fetch(action, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: cookies, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username, password }).toString(),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('location')).toBeNull();
      const html = await response.text();
      expect(html).toContain('<p role="alert" id="login-error">The username or password is incorrect.</p>');
      expect(html).not.toContain('wrong-password');
      bodies.push(html.replace(/value="[^"]*"/g, '').replace(/\/interaction\/[\w-]+/g, ''));
    }
    expect(bodies[0]).toBe(bodies[1]);
  });

  it('surfaces a wrong password from the HTTP helper as LoginFlowError', async () => {
    await expect(
      obtainTokens({ issuer: idp.issuer, username: 'ada', password: 'not-it' }),
    ).rejects.toBeInstanceOf(LoginFlowError);
  });

  it('refuses a cross-site form post', async () => {
    const { cookies, action } = await startLogin();
    const response = await fetch(action, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie: cookies,
        origin: 'http://evil.example',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ username: 'ada', password: ada.password }).toString(),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('location')).toBeNull();
  });

  it('refuses a post without the interaction cookie', async () => {
    const { action } = await startLogin();
    const response = await fetch(action, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'ada', password: ada.password }).toString(),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });

  it('sends access_denied to the app when the person cancels', async () => {
    const redirectUri = randomLoopback();
    const url = await buildAuthorizationRequest({
      issuer: idp.issuer,
      redirectUri,
      codeChallenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      state: 'cancel-state',
    });
    const first = await fetch(url, { redirect: 'manual' });
    const interaction = new URL(first.headers.get('location') ?? '', idp.issuer);
    const cookies = first.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const aborted = await fetch(`${interaction.href}/abort`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: cookies, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(aborted.status).toBe(303);
    // The resume endpoint needs the resume cookie set by the abort response.
    const resumeCookies = [cookies, ...aborted.headers.getSetCookie().map((c) => c.split(';')[0])].join('; ');
    const final = await fetch(new URL(aborted.headers.get('location') ?? '', idp.issuer), {
      redirect: 'manual',
      headers: { cookie: resumeCookies },
    });
    const callback = new URL(final.headers.get('location') ?? '');
    expect(`${callback.origin}${callback.pathname}`).toBe(redirectUri);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe('cancel-state');
  });
});

describe('refresh tokens', () => {
  it('rotate; the new one works; reusing the old one fails and revokes the whole chain', async () => {
    const tokens = await obtainTokens({ issuer: idp.issuer, username: 'ada', password: ada.password });
    const first = tokens.refresh_token ?? '';

    const second = await oidc.refreshTokenGrant(config, first);
    expect(second.refresh_token).toBeTruthy();
    expect(second.refresh_token).not.toBe(first);
    const { payload } = await jwtVerify(second.access_token, jwks(), {
      issuer: idp.issuer,
      audience: idp.audience,
      typ: 'at+jwt',
    });
    expect(payload.sub).toBe(ada.sub);
    expect(payload.scope).toBe('journal');

    const third = await oidc.refreshTokenGrant(config, second.refresh_token ?? '');
    expect(third.refresh_token).toBeTruthy();

    // Replaying a rotated-out token is treated as theft: invalid_grant, and the grant is revoked…
    const reuse = await oidc.refreshTokenGrant(config, first).then(
      () => null,
      (e: unknown) => e,
    );
    expect((reuse as oidc.ResponseBodyError).error).toBe('invalid_grant');
    // …so the newest token, legitimately held, stops working as well.
    const afterRevocation = await oidc.refreshTokenGrant(config, third.refresh_token ?? '').then(
      () => null,
      (e: unknown) => e,
    );
    expect((afterRevocation as oidc.ResponseBodyError).error).toBe('invalid_grant');
  });

  it('are not issued without offline_access', async () => {
    const tokens = await obtainTokens({
      issuer: idp.issuer,
      username: 'ada',
      password: ada.password,
      scope: 'openid profile journal',
    });
    expect(tokens.refresh_token).toBeUndefined();
  });

  it('can be revoked (RFC 7009)', async () => {
    const tokens = await obtainTokens({ issuer: idp.issuer, username: 'ada', password: ada.password });
    await oidc.tokenRevocation(config, tokens.refresh_token ?? '');
    const error = await oidc.refreshTokenGrant(config, tokens.refresh_token ?? '').then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as oidc.ResponseBodyError).error).toBe('invalid_grant');
  });
});

describe('end session (RP-initiated logout)', () => {
  it('confirms, signs out and redirects to the loopback post-logout URI with state', async () => {
    // The browser that signed in: same cookie jar for the sign-in and the sign-out.
    const jar = new CookieJar();
    const browse = async (url: string, init: RequestInit = {}): Promise<Response> => {
      const headers = new Headers(init.headers);
      headers.set('cookie', await jar.getCookieString(url));
      const response = await fetch(url, { ...init, headers, redirect: 'manual' });
      for (const cookie of response.headers.getSetCookie()) await jar.setCookie(cookie, url);
      return response;
    };
    const verifier = oidc.randomPKCECodeVerifier();
    const callback = await loginWithHttp({
      issuer: idp.issuer,
      username: 'ada',
      password: ada.password,
      redirectUri: randomLoopback(),
      codeChallenge: await oidc.calculatePKCECodeChallenge(verifier),
      state: 'st',
      nonce: 'nc',
      jar,
    });
    const tokens = await oidc.authorizationCodeGrant(config, new URL(callback), {
      pkceCodeVerifier: verifier,
      expectedState: 'st',
      expectedNonce: 'nc',
    });
    const postLogout = randomLoopback('/logged-out');
    const url = oidc.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token ?? '',
      post_logout_redirect_uri: postLogout,
      state: 'bye',
    });
    const page = await browse(url.href);
    const html = await page.text();
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain(`form-action 'self' ${new URL(postLogout).origin}`);
    expect(html).toMatch(/<button[^>]*name="logout" value="yes"[^>]*>Sign out<\/button>/);
    const form =
      /<form id="op.logoutForm" method="post" action="([^"]+)"><input type="hidden" name="xsrf" value="([^"]+)"/.exec(
        html,
      );
    expect(form).not.toBeNull();

    // Without the anti-forgery token the confirmation is refused.
    const forged = await browse(new URL(form?.[1] ?? '', idp.issuer).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf: 'forged', logout: 'yes' }).toString(),
    });
    expect(forged.status).toBe(400);

    const confirmed = await browse(new URL(form?.[1] ?? '', idp.issuer).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf: form?.[2] ?? '', logout: 'yes' }).toString(),
    });
    expect(confirmed.status).toBe(303);
    const target = new URL(confirmed.headers.get('location') ?? '');
    expect(`${target.origin}${target.pathname}`).toBe(postLogout);
    expect(target.searchParams.get('state')).toBe('bye');

    // The provider session is gone: a new authorization request asks to sign in again.
    const again = await browse(
      (
        await buildAuthorizationRequest({
          issuer: idp.issuer,
          redirectUri: randomLoopback(),
          codeChallenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
          state: 's',
          scope: 'openid journal',
        })
      ).href,
    );
    const interaction = await browse(new URL(again.headers.get('location') ?? '', idp.issuer).href);
    expect(await interaction.text()).toContain('<label for="password">Password</label>');
  });

  it('refuses a post-logout redirect to localhost', async () => {
    const tokens = await obtainTokens({ issuer: idp.issuer, username: 'ada', password: ada.password });
    const url = oidc.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token ?? '',
      post_logout_redirect_uri: 'http://localhost:43210/logged-out',
    });
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('post_logout_redirect_uri');
  });
});

describe('completeLoginWithHttp', () => {
  it('reports a refused authorization request instead of hanging', async () => {
    const url = new URL(authorizeUrl({ redirect_uri: 'http://localhost:1/callback' }));
    await expect(
      completeLoginWithHttp(url, { username: 'ada', password: ada.password }),
    ).rejects.toMatchObject({ status: 400 });
  });
});

describe('failed sign-in limit', () => {
  it('locks a username after too many failures, even for the right password, and says so', async () => {
    const strict = await startIdp({ port: 0, maxFailedLogins: 2 });
    try {
      const password = strict.accounts.find((a) => a.username === 'grace')?.password ?? '';
      for (const username of ['grace', 'nobody']) {
        for (let i = 0; i < 2; i += 1) {
          await expect(
            obtainTokens({ issuer: strict.issuer, username, password: 'wrong-password' }),
          ).rejects.toMatchObject({ status: 401 });
        }
        const locked = await obtainTokens({ issuer: strict.issuer, username, password }).then(
          () => null,
          (e: unknown) => e,
        );
        expect(locked).toBeInstanceOf(LoginFlowError);
        expect((locked as LoginFlowError).status).toBe(429);
        expect((locked as LoginFlowError).body).toContain(
          'Too many failed attempts. Try again in 15 minutes.',
        );
      }
      // Other accounts are unaffected.
      const ada = strict.accounts.find((a) => a.username === 'ada')?.password ?? '';
      await expect(
        obtainTokens({ issuer: strict.issuer, username: 'ada', password: ada }),
      ).resolves.toHaveProperty('access_token');
    } finally {
      await strict.close();
    }
  });
});
