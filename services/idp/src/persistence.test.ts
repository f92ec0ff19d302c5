import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { CookieJar } from 'tough-cookie';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startIdp, type RunningIdp } from './index';
import { buildAuthorizationRequest, discoverDesktopClient, loginWithHttp, obtainTokens } from './testing';

let dataDir: string;
const running: RunningIdp[] = [];

async function start(options: Parameters<typeof startIdp>[0]): Promise<RunningIdp> {
  const idp = await startIdp(options);
  running.push(idp);
  return idp;
}

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dev-idp-'));
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((idp) => idp.close()));
  await rm(dataDir, { recursive: true, force: true });
});

const passwordOf = (idp: RunningIdp, username: string): string => {
  const account = idp.accounts.find((a) => a.username === username);
  if (!account) throw new Error(`no account ${username}`);
  return account.password;
};

describe('with --data', () => {
  it('keeps signing keys, refresh tokens and browser sessions across a restart', async () => {
    const first = await start({ dataDir });
    const jar = new CookieJar();
    const tokens = await obtainTokens({
      issuer: first.issuer,
      username: 'ada',
      password: passwordOf(first, 'ada'),
    });
    // A browser session too: sign in once with a jar we keep.
    const verifier = oidc.randomPKCECodeVerifier();
    await loginWithHttp({
      issuer: first.issuer,
      username: 'grace',
      password: passwordOf(first, 'grace'),
      redirectUri: 'http://127.0.0.1:40000/callback',
      codeChallenge: await oidc.calculatePKCECodeChallenge(verifier),
      state: 's',
      scope: 'openid journal',
      jar,
    });
    const firstKeys = (await (await fetch(first.jwksUri)).json()) as { keys: { kid: string }[] };
    await first.close();

    // Same port, so the issuer is the same.
    const second = await start({ dataDir, port: first.port });
    expect(second.issuer).toBe(first.issuer);
    const secondKeys = (await (await fetch(second.jwksUri)).json()) as { keys: { kid: string }[] };
    expect(secondKeys.keys.map((k) => k.kid)).toEqual(firstKeys.keys.map((k) => k.kid));

    // A token minted before the restart verifies after it.
    const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(second.jwksUri)), {
      issuer: second.issuer,
      audience: second.audience,
      typ: 'at+jwt',
    });
    expect(payload.sub).toBe(second.accounts.find((a) => a.username === 'ada')?.sub);

    // The refresh token survives (file-backed store) and still rotates.
    const config = await discoverDesktopClient(second.issuer);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token ?? '');
    expect(refreshed.refresh_token).toBeTruthy();

    // The browser session survives (cookie keys and session persisted): the provider skips the
    // sign-in page and asks only for consent (it always does for native apps).
    const url = await buildAuthorizationRequest({
      issuer: second.issuer,
      redirectUri: 'http://127.0.0.1:40001/callback',
      codeChallenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      state: 'again',
      scope: 'openid journal',
    });
    const browse = async (target: string): Promise<Response> => {
      const response = await fetch(target, {
        redirect: 'manual',
        headers: { cookie: await jar.getCookieString(target) },
      });
      for (const cookie of response.headers.getSetCookie()) await jar.setCookie(cookie, target);
      return response;
    };
    const redirect = await browse(url.href);
    const page = await browse(new URL(redirect.headers.get('location') ?? '', second.url).href);
    const html = await page.text();
    expect(html).toContain('<h1>Allow access</h1>');
    expect(html).toContain('Signed in as Grace Hopper (grace)');
    expect(html).not.toContain('Password');
  });

  it('stores keys and tokens owner-only', async () => {
    const idp = await start({ dataDir });
    await obtainTokens({ issuer: idp.issuer, username: 'ada', password: passwordOf(idp, 'ada') });
    await idp.close();
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dataDir, 'keys.json'))).mode & 0o777).toBe(0o600);
    const files = await readdir(join(dataDir, 'store'));
    expect(files).toEqual(expect.arrayContaining(['RefreshToken.json', 'Grant.json', 'Session.json']));
    for (const file of files) expect((await stat(join(dataDir, 'store', file))).mode & 0o777).toBe(0o600);
  });

  it('makes an existing data folder owner-only too (mkdir leaves an existing folder as it was)', async () => {
    await chmod(dataDir, 0o755);
    await mkdir(join(dataDir, 'store'), { mode: 0o777 });
    await chmod(join(dataDir, 'store'), 0o777);
    const idp = await start({ dataDir });
    await idp.close();
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dataDir, 'store'))).mode & 0o777).toBe(0o700);
  });

  it('never lets a refresh token outlive its grant', async () => {
    const idp = await start({ dataDir, grantTtlSeconds: 120, refreshTokenTtlSeconds: 3600 });
    const before = Date.now();
    await obtainTokens({ issuer: idp.issuer, username: 'ada', password: passwordOf(idp, 'ada') });
    await idp.close();
    type StoreFile = { entries: Record<string, { payload: { exp?: number }; expiresAt: number | null }> };
    const read = async (model: string) =>
      Object.values(
        (JSON.parse(await readFile(join(dataDir, 'store', `${model}.json`), 'utf8')) as StoreFile).entries,
      );
    const [refresh] = await read('RefreshToken');
    const [grant] = await read('Grant');
    expect(refresh?.payload.exp).toBeLessThanOrEqual(grant?.payload.exp ?? 0);
    expect((refresh?.payload.exp ?? Infinity) * 1000 - before).toBeLessThanOrEqual(121_000);
  });

  it('refuses to start with a damaged key file instead of replacing it', async () => {
    await writeFile(join(dataDir, 'keys.json'), '{"version":1,"signingKeys":[]', { mode: 0o600 });
    await expect(start({ dataDir })).rejects.toThrow(/keys\.json is not valid JSON/);
    await writeFile(join(dataDir, 'keys.json'), '{"version":1,"signingKeys":[],"cookieKeys":[]}', {
      mode: 0o600,
    });
    await expect(start({ dataDir })).rejects.toThrow(/keys\.json is malformed/);
  });
});

describe('without --data', () => {
  it('uses fresh keys on every start', async () => {
    const a = await start({});
    const b = await start({});
    const kids = async (idp: RunningIdp) =>
      ((await (await fetch(idp.jwksUri)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    const [ka, kb] = await Promise.all([kids(a), kids(b)]);
    expect(ka.some((kid) => kb.includes(kid))).toBe(false);
  });
});
