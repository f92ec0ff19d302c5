/**
 * @newdreamflow/keyservice — verifies OIDC access tokens, mints Algolia Secured API Keys and is the
 * only path for writes. See README.md for deployment.
 */
export { createApp, type AppDeps } from './app';
export {
  configFromEnv,
  parseMediaStorage,
  ConfigError,
  DEFAULT_ALGORITHMS,
  type KeyServiceConfig,
  type MediaStorageConfig,
} from './config';
export { ApiError, type ErrorBody, type ErrorCode } from './errors';
export { createTokenVerifier, type Caller, type TokenVerifier } from './auth/token-verifier';
export { createAlgoliaClient, toClientHosts } from './algolia/client';
export { assertSearchOnlyParentKey, ParentKeyError } from './algolia/parent-key';
export {
  createGateway,
  MAX_MUTATIONS_PER_BATCH,
  type Gateway,
  type WriteResult,
  type MutationResult,
} from './gateway/gateway';
export { PatternMaintainer } from './gateway/patterns';
export { RecordStore } from './gateway/record-store';
export { createLogger, silentLogger, type Logger } from './logger';
export { createDiskStorage } from './media/disk-storage';
export { createS3Storage } from './media/s3-storage';
export type { MediaStorage } from './media/storage';
export { mintSearchKey, algoliaUserToken, type SearchKeyResponse } from './secured-key';
export {
  createKeyService,
  startKeyService,
  mediaStorageFor,
  type KeyService,
  type KeyServiceOptions,
  type RunningKeyService,
} from './server';
export { setupIndices, createSearchOnlyKey, type SetupResult } from './setup';
export { reindexVisibility, type ReindexResult } from './reindex-visibility';
