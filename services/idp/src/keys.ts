import { createPrivateKey, generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { calculateJwkThumbprint } from 'jose';
import { z } from 'zod';
import { ensurePrivateDir, writeFileAtomic } from './atomic-file';

const generateKeyPairAsync = promisify(generateKeyPair);

/** Signing algorithms the provider holds a key for. Access and ID tokens are signed with RS256. */
export const SIGNING_ALGORITHMS = ['RS256', 'ES256'] as const;
/** A signing algorithm the provider holds a key for. */
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** Name of the key file inside the data folder. */
export const KEYS_FILE_NAME = 'keys.json';

const b64u = z.string().regex(/^[A-Za-z0-9_-]+$/);
const common = { kid: z.string().min(1), use: z.literal('sig') };
const rsaJwk = z
  .object({
    ...common,
    kty: z.literal('RSA'),
    alg: z.literal('RS256'),
    n: b64u,
    e: b64u,
    d: b64u,
    p: b64u,
    q: b64u,
    dp: b64u,
    dq: b64u,
    qi: b64u,
  })
  .strict();
const ecJwk = z
  .object({
    ...common,
    kty: z.literal('EC'),
    alg: z.literal('ES256'),
    crv: z.literal('P-256'),
    x: b64u,
    y: b64u,
    d: b64u,
  })
  .strict();
const privateJwk = z.discriminatedUnion('kty', [rsaJwk, ecJwk]);

/** A private signing key as a JWK (with `kid`, `alg` and `use`). */
export type PrivateJwk = z.infer<typeof privateJwk>;

const keyFileSchema = z
  .object({
    version: z.literal(1),
    signingKeys: z.array(privateJwk).min(1),
    /** Keys for oidc-provider's signed cookies (keygrip: the first signs, all verify). */
    cookieKeys: z.array(z.string().min(32)).min(1),
  })
  .strict();

/** Everything secret the provider needs to keep across restarts. */
export type KeyMaterial = z.infer<typeof keyFileSchema>;

async function jwkOf(key: KeyObject, alg: SigningAlgorithm): Promise<PrivateJwk> {
  const exported = key.export({ format: 'jwk' });
  // The kid is the RFC 7638 thumbprint: stable, and distinct for distinct keys.
  const kid = await calculateJwkThumbprint(exported);
  return privateJwk.parse({ ...exported, kid, alg, use: 'sig' });
}

async function generateSigningKey(alg: SigningAlgorithm): Promise<PrivateJwk> {
  if (alg === 'RS256') {
    const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
    return jwkOf(privateKey, alg);
  }
  const { privateKey } = await generateKeyPairAsync('ec', { namedCurve: 'P-256' });
  return jwkOf(privateKey, alg);
}

/** Fresh signing keys (one per algorithm) and a cookie key. */
export async function generateKeyMaterial(): Promise<KeyMaterial> {
  const signingKeys = await Promise.all(SIGNING_ALGORITHMS.map(generateSigningKey));
  return { version: 1, signingKeys, cookieKeys: [randomBytes(32).toString('base64url')] };
}

function parseKeyFile(text: string, path: string): KeyMaterial {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `key file ${path} is not valid JSON (${(error as Error).message}); move it away to start with new keys`,
      {
        cause: error,
      },
    );
  }
  const parsed = keyFileSchema.safeParse(data);
  if (!parsed.success) {
    throw new Error(
      `key file ${path} is malformed; move it away to start with new keys:\n${z.prettifyError(parsed.error)}`,
    );
  }
  for (const jwk of parsed.data.signingKeys) {
    try {
      createPrivateKey({ key: jwk, format: 'jwk' });
    } catch (error) {
      throw new Error(`key file ${path} holds an unusable key ${jwk.kid}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  return parsed.data;
}

/**
 * Loads the provider's keys from `dataDir/keys.json`, creating them on first start (mode 0600, in a
 * folder of mode 0700). Without a data folder the keys are ephemeral. A malformed key file is an
 * error, never silently replaced: replacing it would invalidate every session and token.
 */
export async function loadOrCreateKeys(dataDir: string | undefined): Promise<KeyMaterial> {
  if (dataDir === undefined) {
    return generateKeyMaterial();
  }
  await ensurePrivateDir(dataDir);
  const path = join(dataDir, KEYS_FILE_NAME);
  let text: string | undefined;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`cannot read key file ${path}: ${(error as Error).message}`, { cause: error });
    }
  }
  if (text === undefined) {
    const material = await generateKeyMaterial();
    await writeFileAtomic(path, `${JSON.stringify(material, null, 2)}\n`);
    return material;
  }
  const material = parseKeyFile(text, path);
  const missing = SIGNING_ALGORITHMS.filter((alg) => !material.signingKeys.some((key) => key.alg === alg));
  if (missing.length > 0) {
    // An older file may lack an algorithm added since: add it, keep the existing keys.
    material.signingKeys.push(...(await Promise.all(missing.map(generateSigningKey))));
    await writeFileAtomic(path, `${JSON.stringify(material, null, 2)}\n`);
  }
  return material;
}
