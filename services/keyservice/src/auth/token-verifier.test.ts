import { createHmac, createPublicKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { obtainTokens, startIdp, type RunningIdp } from '@newdreamflow/dev-idp';
import { ApiError } from '../errors';
import { DEFAULT_ALGORITHMS } from '../config';
import { loadIdpSigningKey, signToken, type IdpSigningKey } from '../../test/idp-keys';
import { createTokenVerifier, type TokenVerifier } from './token-verifier';

// Verification against the real dev IdP: its discovery document, its JWKS, tokens from the real
// authorization-code + PKCE flow, and crafted tokens signed with its real keys (one defect each).

let dataDir: string;
let idp: RunningIdp;
let verifier: TokenVerifier;
let signing: IdpSigningKey;
let ada: { sub: string; username: string; password: string };

const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
const now = (): number => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'ks-verifier-'));
  idp = await startIdp({ port: 0, dataDir, log: () => {} });
  signing = await loadIdpSigningKey(dataDir);
  const account = idp.accounts.find((a) => a.username === 'ada');
  if (!account) throw new Error('demo account ada missing');
  ada = account;
  verifier = createTokenVerifier({
    issuer: idp.issuer,
    audience: idp.audience,
    algorithms: DEFAULT_ALGORITHMS,
    clockToleranceSeconds: 30,
  });
});

afterAll(async () => {
  await idp.close();
  await rm(dataDir, { recursive: true, force: true });
});

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: idp.issuer,
    aud: idp.audience,
    sub: ada.sub,
    iat: now(),
    exp: now() + 300,
    client_id: idp.clientId,
    jti: 'x',
    ...overrides,
  };
}

async function expect401(authorization: string | undefined): Promise<string> {
  const error = await verifier.verify(authorization).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).status).toBe(401);
  return (error as ApiError).message;
}

describe('token verifier against the dev IdP', () => {
  it('accepts an access token from the real code + PKCE flow and names the user by sub', async () => {
    const tokens = await obtainTokens({
      issuer: idp.issuer,
      username: ada.username,
      password: ada.password,
      resource: idp.audience,
      scope: idp.scope,
    });
    const caller = await verifier.verify(`Bearer ${tokens.access_token}`);
    expect(caller.userId).toBe(ada.sub);
    expect(caller.issuer).toBe(idp.issuer);
  });

  it('accepts a crafted token with every claim right (the control for the matrix below)', async () => {
    const caller = await verifier.verify(`Bearer ${await signToken(signing, claims())}`);
    expect(caller.userId).toBe(ada.sub);
  });

  it('rejects a wrong issuer', async () => {
    await expect401(`Bearer ${await signToken(signing, claims({ iss: 'http://127.0.0.1:1/evil' }))}`);
  });

  it('rejects a wrong audience', async () => {
    await expect401(`Bearer ${await signToken(signing, claims({ aud: 'https://other.example' }))}`);
  });

  it('rejects an expired token (beyond the clock tolerance)', async () => {
    const msg = await expect401(
      `Bearer ${await signToken(signing, claims({ iat: now() - 600, exp: now() - 120 }))}`,
    );
    expect(msg).toMatch(/expired/);
  });

  it('rejects a token that is not yet valid', async () => {
    await expect401(`Bearer ${await signToken(signing, claims({ nbf: now() + 120 }))}`);
  });

  it('rejects alg none', async () => {
    const token = `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(claims())}.`;
    await expect401(`Bearer ${token}`);
  });

  it('rejects HS256 signed with the IdP public key as the HMAC secret', async () => {
    const header = b64({ alg: 'HS256', typ: 'at+jwt', kid: signing.kid });
    const payload = b64(claims());
    // Both classic variants of the confusion attack: the JWK JSON and the PEM as the secret.
    const pem = createPublicKey({ key: signing.publicJwk as JsonWebKey, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
    const secrets = [JSON.stringify(signing.publicJwk), pem];
    for (const secret of secrets) {
      const sig = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
      await expect401(`Bearer ${header}.${payload}.${sig}`);
    }
  });

  it('rejects an unknown kid', async () => {
    await expect401(`Bearer ${await signToken(signing, claims(), { kid: 'no-such-key' })}`);
  });

  it('rejects a token signed by a foreign key (with the IdP kid and with its own)', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const foreign = { key: privateKey as unknown as CryptoKey, alg: 'RS256', kid: signing.kid };
    await expect401(`Bearer ${await signToken(foreign, claims())}`);
    await expect401(`Bearer ${await signToken({ ...foreign, kid: 'foreign' }, claims())}`);
  });

  it('rejects an ID token presented as an access token', async () => {
    const tokens = await obtainTokens({
      issuer: idp.issuer,
      username: ada.username,
      password: ada.password,
      resource: idp.audience,
      scope: idp.scope,
    });
    expect(tokens.id_token).toBeDefined();
    expect(decodeJwt(tokens.id_token ?? '').sub).toBe(ada.sub);
    await expect401(`Bearer ${tokens.id_token}`);
  });

  it('rejects a token without sub', async () => {
    const { sub: _sub, ...noSub } = claims();
    await expect401(`Bearer ${await signToken(signing, noSub)}`);
  });

  it('rejects a token without typ at+jwt', async () => {
    await expect401(`Bearer ${await signToken(signing, claims(), { typ: 'JWT' })}`);
  });

  it('rejects missing and malformed Authorization headers', async () => {
    await expect401(undefined);
    await expect401('Basic YWRhOnB3');
    await expect401('Bearer');
    await expect401('Bearer not.a.jwt');
  });
});

describe('token verifier when the IdP is down', () => {
  it('does not let every request (any Bearer string) trigger a discovery fetch; retries after a pause', async () => {
    let hits = 0;
    const server = createServer((_req, res) => {
      hits += 1;
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    let t = 1_000_000;
    const down = createTokenVerifier({
      issuer: `http://127.0.0.1:${port}`,
      audience: 'aud',
      algorithms: DEFAULT_ALGORITHMS,
      clockToleranceSeconds: 30,
      now: () => t,
    });
    try {
      for (let i = 0; i < 5; i++) {
        const error = await down.verify('Bearer a.b.c').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ApiError);
        expect((error as ApiError).status).toBe(503);
        expect((error as ApiError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
      }
      expect(hits).toBe(1);
      t += 10_000;
      await down.verify('Bearer a.b.c').catch(() => undefined);
      expect(hits).toBe(2);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('token verifier discovery', () => {
  it('refuses a discovery document whose jwks_uri is plain http on a non-loopback host', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer, jwks_uri: 'http://jwks.example.test/keys' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const v = createTokenVerifier({
      issuer,
      audience: 'aud',
      algorithms: DEFAULT_ALGORITHMS,
      clockToleranceSeconds: 30,
    });
    try {
      const error = await v.verify('Bearer a.b.c').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).status).toBe(503);
      expect((error as ApiError).message).toMatch(/discovery document/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
