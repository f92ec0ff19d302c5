import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';
import { ApiError } from '../errors';

/** Who is calling: the verified subject of an access token from the configured issuer. */
export interface Caller {
  /** The user id used in records (`user_id`, `visible_to`): the token's `sub`. */
  userId: string;
  issuer: string;
  /** Claims of the verified token (never logged). */
  claims: JWTPayload;
}

/** Options of {@link createTokenVerifier}. */
export interface TokenVerifierOptions {
  issuer: string;
  audience: string;
  algorithms: string[];
  clockToleranceSeconds: number;
  /** Timeout of discovery and JWKS requests. */
  timeoutMs?: number;
  /** Pause after a failed discovery before the next attempt (ms, default 5 s). */
  discoveryRetryMs?: number;
  /** Clock in ms (tests). */
  now?: () => number;
}

/** Verifies bearer access tokens. */
export interface TokenVerifier {
  /** Resolves the caller or throws an {@link ApiError} (401 for bad tokens, 503 if the IdP is unreachable). */
  verify(authorization: string | undefined): Promise<Caller>;
}

// `sub` ends up quoted inside Algolia filter strings and in objectIDs: keep it to a safe alphabet
// (covers Auth0 `auth0|…`, Keycloak/Entra UUIDs, Okta ids, email-like subjects).
const subjectPattern = /^[A-Za-z0-9._:@|+-]{1,200}$/;

const discoverySchema = z.object({ issuer: z.string(), jwks_uri: z.url({ protocol: /^https?$/ }) });

function unauthorized(message: string): ApiError {
  return new ApiError('unauthorized', message);
}

/**
 * Creates a verifier for RFC 9068 JWT access tokens: signature against the issuer's JWKS (found by
 * OpenID discovery, fetched lazily, cached and refreshed by jose on unknown `kid`s), `iss`, `aud`,
 * `exp`/`nbf` with a small clock tolerance, `typ: at+jwt`, an allow-list of asymmetric algorithms
 * and a `sub`.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const retryMs = options.discoveryRetryMs ?? 5_000;
  const clock = options.now ?? Date.now;
  // After a failed discovery, requests fail fast until this time: otherwise every request with
  // any Bearer string would make the service fetch the IdP again (jose's JWKS has its own cooldown).
  let failed: { until: number; error: ApiError } | undefined;
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  let discovering: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;

  async function discover(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    const base = options.issuer.replace(/\/+$/, '');
    let body: unknown;
    try {
      const res = await fetch(`${base}/.well-known/openid-configuration`, {
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!res.ok) throw new Error(`discovery answered ${res.status}`);
      body = await res.json();
    } catch (cause) {
      throw new ApiError('unavailable', 'the identity provider is unreachable', null, 5, { cause });
    }
    const doc = discoverySchema.safeParse(body);
    if (!doc.success || doc.data.issuer !== options.issuer || !secureKeysUrl(doc.data.jwks_uri)) {
      throw new ApiError(
        'unavailable',
        'the identity provider published an unusable discovery document',
        null,
        30,
      );
    }
    return createRemoteJWKSet(new URL(doc.data.jwks_uri), { timeoutDuration: timeoutMs });
  }

  async function keySet(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (jwks) return jwks;
    if (failed && clock() < failed.until) {
      const seconds = Math.max(1, Math.ceil((failed.until - clock()) / 1000));
      throw new ApiError(failed.error.code, failed.error.message, null, seconds);
    }
    discovering ??= discover()
      .catch((error: unknown) => {
        if (error instanceof ApiError) failed = { until: clock() + retryMs, error };
        throw error;
      })
      .finally(() => {
        discovering = undefined;
      });
    jwks = await discovering;
    return jwks;
  }

  return {
    async verify(authorization) {
      if (!authorization) throw unauthorized('missing bearer token in the Authorization header');
      const match = /^Bearer ([A-Za-z0-9_.~+/-]+=*)$/i.exec(authorization.trim());
      if (!match?.[1]) throw unauthorized('the Authorization header must be "Bearer <access token>"');
      const token = match[1];
      const keys = await keySet();
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keys, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: options.algorithms,
          clockTolerance: options.clockToleranceSeconds,
          typ: 'at+jwt',
          requiredClaims: ['sub', 'exp'],
        }));
      } catch (error) {
        if (error instanceof joseErrors.JWKSTimeout) {
          throw new ApiError('unavailable', 'the identity provider is unreachable', null, 5);
        }
        if (error instanceof joseErrors.JOSEError) throw unauthorized(describe(error));
        // A failed JWKS fetch surfaces as a plain error (network) — the token may be fine.
        throw new ApiError('unavailable', 'could not verify the token right now', null, 5, { cause: error });
      }
      const sub = payload.sub;
      if (typeof sub !== 'string' || !subjectPattern.test(sub))
        throw unauthorized('the token has no usable subject');
      return { userId: sub, issuer: options.issuer, claims: payload };
    },
  };
}

/**
 * The keys that sign every token must come over TLS: a plain-http `jwks_uri` would let anyone on
 * the path substitute their own. Only a loopback development IdP may serve them over http.
 */
function secureKeysUrl(raw: string): boolean {
  const url = new URL(raw);
  return url.protocol === 'https:' || ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

// Short, safe reasons (they name the failed check, never echo the token).
function describe(error: InstanceType<typeof joseErrors.JOSEError>): string {
  if (error instanceof joseErrors.JWTExpired) return 'the token has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed)
    return `the token's "${error.claim}" claim is not acceptable`;
  if (error instanceof joseErrors.JOSEAlgNotAllowed)
    return 'the token is signed with an algorithm that is not allowed';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'the token is signed with an unknown key';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'the token signature is invalid';
  return 'the token is not a valid access token';
}
