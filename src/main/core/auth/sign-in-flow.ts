import * as client from 'openid-client';
import { CoreError } from '../errors';
import type { Logger } from '../log/logger';
import { startLoopbackReceiver } from './loopback-receiver';
import type { OidcClient, TokenSet } from './oidc-client';

/** Opens a URL in the user's browser (Electron: `shell.openExternal`; tests: a Playwright page). */
export type BrowserLauncher = (url: URL) => Promise<void>;

export interface SignInFlowOptions {
  readonly oidc: OidcClient;
  readonly openBrowser: BrowserLauncher;
  readonly scope: string;
  readonly resource: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly logger: Logger;
}

/**
 * One interactive sign-in (RFC 8252): fresh PKCE verifier (S256), state and nonce; the loopback
 * receiver listens before the browser opens; the callback is validated (state, iss, error) by
 * openid-client before the code is exchanged. Nothing secret is logged.
 */
export async function runSignInFlow(options: SignInFlowOptions): Promise<TokenSet> {
  const { oidc, logger } = options;
  await oidc.configuration();
  const verifier = client.randomPKCECodeVerifier();
  const codeChallenge = await client.calculatePKCECodeChallenge(verifier);
  const state = client.randomState();
  const nonce = client.randomNonce();
  const receiver = await startLoopbackReceiver({
    expectedState: state,
    timeoutMs: options.timeoutMs,
    logger,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  try {
    const url = await oidc.authorizationUrl({
      redirectUri: receiver.redirectUri,
      scope: options.scope,
      resource: options.resource,
      state,
      nonce,
      codeChallenge,
    });
    logger.info('auth.sign-in.browser', { authorizationOrigin: url.origin });
    try {
      await options.openBrowser(url);
    } catch (error) {
      throw new CoreError('sign-in-failed', 'The browser could not be opened for sign-in.', undefined, {
        cause: error,
      });
    }
    const callbackUrl = await receiver.callback;
    const tokens = await oidc.exchangeCode(callbackUrl, {
      verifier,
      state,
      nonce,
      resource: options.resource,
    });
    logger.info('auth.sign-in.done');
    return tokens;
  } finally {
    receiver.cancel();
  }
}
