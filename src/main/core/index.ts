/** The Electron-free core of the main process (DESIGN.md "Layout"). */
export { OidcClient, RefreshRejectedError, type TokenSet } from './auth/oidc-client';
export { SessionManager } from './auth/session-manager';
export { runSignInFlow, type BrowserLauncher } from './auth/sign-in-flow';
export { startLoopbackReceiver, type LoopbackReceiver } from './auth/loopback-receiver';
export {
  ConfigError,
  EMBEDDED_DEFAULTS,
  isLoopbackUrl,
  loadConfig,
  type AppConfig,
} from './config/app-config';
export { createCore, type Core, type CoreOptions } from './create-core';
export { CoreError, isCoreError } from './errors';
export { KeyServiceHttp } from './http/key-service-http';
export { createDispatcher, type Dispatcher, type HandlerContext, type MainHandlers } from './ipc/dispatcher';
export { createEventHub, type EventHub, type EventSink } from './ipc/event-hub';
export { checkPayload, DEFAULT_PAYLOAD_LIMITS, type PayloadLimits } from './ipc/payload-limits';
export { appTopFrameOnly, type SenderInfo, type SenderPolicy } from './ipc/sender';
export { SearchKeyClient } from './keys/search-key-client';
export { createLogger, createMemoryLogger, silentLogger, type Logger } from './log/logger';
export { RecordsClient, type RecordsGateway } from './records/records-client';
export { rendererContentSecurityPolicy } from './security/content-security-policy';
export { checkExternalUrl } from './security/external-url-policy';
export { KEYCHAIN_SERVICE, MemorySecretStore, type SecretStore } from './vault/secret-store';
export {
  KeytarSecretStore,
  openSecretStore,
  probeKeychain,
  type KeychainProbe,
  type KeytarApi,
} from './vault/keytar-secret-store';
