import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { importJWK, SignJWT, type JWTPayload, type CryptoKey } from 'jose';
import { z } from 'zod';

/**
 * Test-only access to the dev IdP's real signing keys (the IdP persists them in its data folder as
 * `keys.json`), so tests can mint tokens the IdP's JWKS really verifies — with exactly one claim or
 * header wrong each time.
 */
const keyFile = z.object({
  signingKeys: z.array(z.object({ kid: z.string(), alg: z.string() }).loose()).min(1),
});

/** One of the IdP's signing keys. */
export interface IdpSigningKey {
  kid: string;
  alg: string;
  key: CryptoKey;
  /** The public half as a JWK (for the "HS256 with the public key" attack). */
  publicJwk: Record<string, unknown>;
}

/** Loads the RS256 signing key of a dev IdP started with `dataDir`. */
export async function loadIdpSigningKey(dataDir: string, alg = 'RS256'): Promise<IdpSigningKey> {
  const parsed = keyFile.parse(JSON.parse(await readFile(join(dataDir, 'keys.json'), 'utf8')));
  const jwk = parsed.signingKeys.find((k) => k.alg === alg);
  if (!jwk) throw new Error(`the IdP has no ${alg} key`);
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = jwk as Record<string, unknown>;
  return { kid: jwk.kid, alg: jwk.alg, key: (await importJWK(jwk, jwk.alg)) as CryptoKey, publicJwk };
}

/** Signs `claims` as an RFC 9068 access token with `key` (header overrides allowed). */
export async function signToken(
  key: { key: CryptoKey; alg: string; kid: string },
  claims: JWTPayload,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...header })
    .sign(key.key);
}
