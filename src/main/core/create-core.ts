import type { AppInfo, SearchKey, Theme } from '../../shared/ipc';
import { OidcClient } from './auth/oidc-client';
import { SessionManager, sessionBinding } from './auth/session-manager';
import type { BrowserLauncher } from './auth/sign-in-flow';
import type { AppConfig } from './config/app-config';
import { CoreError } from './errors';
import { KeyServiceHttp } from './http/key-service-http';
import type { MainHandlers } from './ipc/dispatcher';
import { createEventHub, type EventHub } from './ipc/event-hub';
import { SearchKeyClient } from './keys/search-key-client';
import type { Logger } from './log/logger';
import { RecordsClient, type RecordsGateway } from './records/records-client';
import { checkExternalUrl } from './security/external-url-policy';
import type { SecretStore } from './vault/secret-store';

/** Everything the core needs from its host (Electron or the e2e host). */
export interface CoreOptions {
  readonly config: AppConfig;
  /** The keychain, or a {@link MemorySecretStore} when there is none (fail closed). */
  readonly secretStore: SecretStore;
  /** Opens the IdP's authorization URL in the system browser. */
  readonly openBrowser: BrowserLauncher;
  /** Opens a link for the renderer (already checked against the allow-list by the core). */
  readonly openExternal: (url: string) => Promise<void>;
  readonly appInfo: Omit<AppInfo, 'theme'>;
  readonly getTheme: () => Theme;
  readonly logger: Logger;
  /** Replaces global fetch for the IdP and the key service (tests). */
  readonly fetch?: typeof fetch;
  readonly clock?: () => number;
  /** Replaces the records gateway (the outbox will sit here). */
  readonly records?: RecordsGateway;
}

/** The assembled core: services, the IPC handler table and the event hub. */
export interface Core {
  readonly config: AppConfig;
  readonly session: SessionManager;
  readonly searchKeys: SearchKeyClient;
  readonly records: RecordsGateway;
  readonly events: EventHub;
  readonly handlers: MainHandlers;
  /** Silent sign-in from the keychain. */
  start(): Promise<void>;
  dispose(): void;
}

/**
 * Builds the Electron-free core. Both hosts call this and bind `handlers` through the one
 * dispatcher; neither adds handlers of its own.
 */
export function createCore(options: CoreOptions): Core {
  const { config, logger } = options;
  const events = createEventHub(logger);
  const oidc = new OidcClient({
    issuer: config.oidc.issuer,
    clientId: config.oidc.clientId,
    prompt: config.oidc.prompt,
    logger,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const session = new SessionManager({
    oidc,
    store: options.secretStore,
    issuer: config.oidc.issuer,
    binding: sessionBinding({ ...config.oidc, keyServiceUrl: config.keyServiceUrl }),
    scope: config.oidc.scope,
    audience: config.oidc.audience,
    openBrowser: options.openBrowser,
    signInTimeoutMs: config.signInTimeoutMs,
    logger,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const http = new KeyServiceHttp({
    baseUrl: config.keyServiceUrl,
    session,
    logger,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const searchKeys = new SearchKeyClient({
    http,
    logger,
    onKeyChanged: (key: SearchKey | null) => events.emit('search:keyChanged', key),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const records = options.records ?? new RecordsClient(http);

  const stopSession = session.onChange((state) => {
    if (state.status !== 'signed-in') searchKeys.clear();
    events.emit('session:changed', state);
  });

  const requireSignedIn = (): void => {
    if (session.state.status !== 'signed-in') throw new CoreError('unauthenticated', 'Sign in to continue.');
  };

  const handlers: MainHandlers = {
    'app:getInfo': () => ({ ...options.appInfo, theme: options.getTheme() }),
    'app:openExternal': async ({ url }) => {
      const refused = checkExternalUrl(url);
      if (refused !== null) throw new CoreError('forbidden', `This link cannot be opened (${refused}).`);
      await options.openExternal(url);
      return null;
    },
    'auth:getSession': () => session.state,
    'auth:signIn': () => session.signIn(),
    'auth:cancelSignIn': () => {
      session.cancelSignIn();
      return null;
    },
    'auth:signOut': () => session.signOut(),
    'search:getKey': () => {
      requireSignedIn();
      return searchKeys.getKey();
    },
    'search:reportKeyRejected': ({ status }) => {
      requireSignedIn();
      return searchKeys.reportRejected(status);
    },
    'records:get': ({ index, id }) => {
      requireSignedIn();
      return records.get(index, id);
    },
    'records:create': ({ index, id, record, mutationId }) => {
      requireSignedIn();
      return records.create(index, id, record, mutationId);
    },
    'records:update': ({ index, id, changes, baseVersion, mutationId }) => {
      requireSignedIn();
      return records.update(index, id, changes, baseVersion, mutationId);
    },
    'records:delete': async ({ index, id, baseVersion, mutationId }) => {
      requireSignedIn();
      await records.delete(index, id, baseVersion, mutationId);
      return null;
    },
  };

  return {
    config,
    session,
    searchKeys,
    records,
    events,
    handlers,
    async start() {
      await session.start();
    },
    dispose() {
      stopSession();
      searchKeys.dispose();
      session.cancelSignIn();
    },
  };
}
