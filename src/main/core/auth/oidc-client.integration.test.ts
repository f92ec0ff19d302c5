import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIdp, type RunningIdp } from '@newdreamflow/dev-idp';
import { createMemoryLogger } from '../log/logger';
import { OidcClient } from './oidc-client';

// The authorization URL against the real dev IdP's discovery: `prompt` follows the configuration.
let idp: RunningIdp;
beforeAll(async () => {
  idp = await startIdp({ port: 0, log: () => undefined });
});
afterAll(async () => {
  await idp.close();
});

async function promptOf(prompt: 'consent' | 'login' | null | undefined): Promise<string | null> {
  const oidc = new OidcClient({
    issuer: idp.issuer,
    clientId: idp.clientId,
    logger: createMemoryLogger(),
    prompt,
  });
  const url = await oidc.authorizationUrl({
    redirectUri: 'http://127.0.0.1:5555/callback',
    scope: idp.scope,
    resource: idp.audience,
    state: 'state-1',
    nonce: 'nonce-1',
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  });
  expect(url.origin).toBe(new URL(idp.issuer).origin);
  expect(url.searchParams.get('code_challenge_method')).toBe('S256');
  return url.searchParams.get('prompt');
}

describe('OidcClient.authorizationUrl', () => {
  it('asks for consent by default (the dev IdP issues refresh tokens only then)', async () => {
    expect(await promptOf(undefined)).toBe('consent');
  });
  it('sends the configured prompt, or none', async () => {
    expect(await promptOf('login')).toBe('login');
    expect(await promptOf(null)).toBeNull();
  });
});
