/**
 * @newdreamflow/dev-idp — the development OpenID Provider of the embedded stack and the tests.
 *
 * `startIdp()` runs it in-process; `src/main.ts` is the `npm run idp` entry. Production uses any
 * standard OIDC provider instead: nothing here is needed by the app or the key service at run time.
 */
export { startIdp, type IdpOptions, type RunningIdp, type IdpAccount } from './server';
export {
  DEFAULT_AUDIENCE,
  DEFAULT_PORT,
  DEFAULT_RESOURCE_SCOPES,
  DEFAULT_SCOPE,
  DEFAULT_TTL,
  DESKTOP_CLIENT_ID,
  DESKTOP_POST_LOGOUT_REDIRECT_URIS,
  DESKTOP_REDIRECT_URI,
  OIDC_SCOPES,
  TOKEN_SIGNING_ALG,
} from './constants';
export {
  DEFAULT_ACCOUNTS_FILE,
  loadAccountsFile,
  parseAccounts,
  type AccountRecord,
  type AccountsFile,
} from './accounts';
export { LOGIN_FAILED_MESSAGE } from './interactions';
export {
  LoginFlowError,
  buildAuthorizationRequest,
  completeLoginWithHttp,
  discoverDesktopClient,
  loginWithHttp,
  obtainTokens,
  type LoginWithHttpParams,
  type ObtainTokensParams,
  type ObtainedTokens,
} from './testing';
