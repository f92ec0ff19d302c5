/**
 * API keys of the local engine: the admin key, stored keys (`/1/keys`), the configured
 * search-only key, and Secured API Keys derived from them — authentication, ACLs, index
 * restrictions and the filters/parameters a key forces on every request.
 */
export { ACLS, WRITE_ACLS, isAcl, type Acl, type Need } from './acl';
export {
  INDEX_NOT_ALLOWED,
  INVALID_KEY,
  METHOD_NOT_ALLOWED,
  REFERER_NOT_ALLOWED,
  VALID_UNTIL_EXPIRED,
  authorize,
  parseCredentials,
  type AuthorizationNeed,
  type Principal,
} from './authorize';
export {
  KeyStore,
  keyStoreSnapshotSchema,
  type ApiKeyAnswer,
  type KeyStoreOptions,
  type KeyStoreSnapshot,
  type StoredKey,
} from './key-store';
export { allowedBy, matchesPattern, refererAllowed } from './patterns';
export { coerceSearchParam, parseSearchParamsString } from './search-params';
export {
  decodeSecuredApiKey,
  generateSecuredApiKey,
  parseRestrictions,
  restrictsNothing,
  type SecuredRestrictions,
} from './secured-key';
