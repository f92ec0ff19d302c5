import { createHash } from 'node:crypto';
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';

// RFC 7636 §4.1: 43–128 characters of [A-Z a-z 0-9 - . _ ~]; openid-client draws 32 random bytes
// (43 base64url characters). 100,000 of them must be well-formed and all different.
describe('PKCE verifiers', () => {
  it('are unique and well-formed across 100,000 draws', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i += 1) {
      const verifier = client.randomPKCECodeVerifier();
      if (!/^[A-Za-z0-9_-]{43}$/.test(verifier)) throw new Error(`malformed verifier at draw ${i}`);
      seen.add(verifier);
    }
    expect(seen.size).toBe(100_000);
  });

  it('derive S256 challenges as BASE64URL(SHA256(verifier))', async () => {
    for (let i = 0; i < 200; i += 1) {
      const verifier = client.randomPKCECodeVerifier();
      const expected = createHash('sha256').update(verifier).digest('base64url');
      expect(await client.calculatePKCECodeChallenge(verifier)).toBe(expected);
    }
  });
});
