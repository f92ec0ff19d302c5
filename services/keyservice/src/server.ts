import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { createAlgoliaClient } from './algolia/client';
import { assertSearchOnlyParentKey } from './algolia/parent-key';
import { createApp } from './app';
import { createTokenVerifier } from './auth/token-verifier';
import type { KeyServiceConfig } from './config';
import { createGateway, type Gateway } from './gateway/gateway';
import { PatternMaintainer } from './gateway/patterns';
import { RecordStore } from './gateway/record-store';
import { createLogger, type Logger } from './logger';
import { createDiskStorage } from './media/disk-storage';
import { createS3Storage } from './media/s3-storage';
import type { MediaStorage } from './media/storage';
import { createRateLimiter } from './rate-limit';
import { mintSearchKey } from './secured-key';

/** Optional collaborators for in-process use (tests inject quiet loggers, clocks, storage). */
export interface KeyServiceOptions {
  logger?: Logger;
  /** Unix seconds. */
  now?: () => number;
  /** Overrides the storage built from `config.media`. */
  media?: MediaStorage;
  /** Skip the parent-key ACL check (never in production; only for tests that cover it separately). */
  skipParentKeyCheck?: boolean;
}

/** A composed key service without a listening socket. */
export interface KeyService {
  app: Hono<never>;
  gateway: Gateway;
  patterns: PatternMaintainer;
  store: RecordStore;
  /** Marks the service as draining (healthz answers 503). */
  drain(): void;
}

/** Builds the media storage named by the configuration. */
export function mediaStorageFor(config: KeyServiceConfig['media']): MediaStorage {
  return config.kind === 'disk'
    ? createDiskStorage(config.dir)
    : createS3Storage({
        bucket: config.bucket,
        prefix: config.prefix,
        region: config.region,
        endpoint: config.endpoint,
        forcePathStyle: config.forcePathStyle,
      });
}

/**
 * Composes the key service from its configuration: checks that the search key is a search-only
 * parent (refuses to start otherwise), then wires token verification, the gateway, patterns,
 * media storage and rate limiting into the HTTP app.
 */
export async function createKeyService(
  config: KeyServiceConfig,
  options: KeyServiceOptions = {},
): Promise<KeyService> {
  const logger = options.logger ?? createLogger();
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const admin = createAlgoliaClient(config.algolia.appId, config.algolia.adminKey, config.algolia.hosts);
  if (!options.skipParentKeyCheck)
    await assertSearchOnlyParentKey(admin, config.algolia.searchKey, config.algolia.adminKey);

  const store = new RecordStore(admin);
  const patterns = new PatternMaintainer(store, config.indexPrefix, logger);
  const gateway = createGateway({
    store,
    patterns,
    indexPrefix: config.indexPrefix,
    maxRecordBytes: config.maxRecordBytes,
    logger,
    now,
  });
  const verifier = createTokenVerifier({
    issuer: config.oidc.issuer,
    audience: config.oidc.audience,
    algorithms: config.oidc.algorithms,
    clockToleranceSeconds: config.oidc.clockToleranceSeconds,
  });
  let draining = false;
  const app = createApp({
    verifier,
    gateway,
    media: options.media ?? mediaStorageFor(config.media),
    rateLimiter: createRateLimiter(config.rateLimit),
    logger,
    maxBodyBytes: config.maxBodyBytes,
    publicUrl: config.publicUrl,
    draining: () => draining,
    searchKey: async (caller) => {
      const groupIds = await gateway.searchKeyGroupsOf(caller.userId);
      const key = mintSearchKey({
        client: admin,
        appId: config.algolia.appId,
        parentKey: config.algolia.searchKey,
        hosts: config.algolia.hosts,
        indexPrefix: config.indexPrefix,
        ttlSeconds: config.searchKeyTtlSeconds,
        issuer: config.oidc.issuer,
        userId: caller.userId,
        groupIds,
        now: now(),
      });
      logger.info('search-key', { user: caller.userId, groups: groupIds.length, validUntil: key.validUntil });
      return key;
    },
  });
  return {
    app: app as unknown as Hono<never>,
    gateway,
    patterns,
    store,
    drain: () => {
      draining = true;
    },
  };
}

/** A running key service. */
export interface RunningKeyService extends KeyService {
  url: string;
  port: number;
  /** Stops accepting connections, lets in-flight requests finish (bounded), then resolves. */
  close(): Promise<void>;
}

/** Starts the key service on `host` (default 127.0.0.1):`port` (0 = ephemeral). */
export async function startKeyService(
  config: KeyServiceConfig & { port?: number; host?: string },
  options: KeyServiceOptions = {},
): Promise<RunningKeyService> {
  const service = await createKeyService(config, options);
  const host = config.host ?? '127.0.0.1';
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: service.app.fetch, port: config.port ?? 0, hostname: host }, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    ...service,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        service.drain();
        const force = setTimeout(() => {
          if ('closeAllConnections' in server) server.closeAllConnections();
        }, 5_000);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        if ('closeIdleConnections' in server) server.closeIdleConnections();
      });
      return closing;
    },
  };
}
