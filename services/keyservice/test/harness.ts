import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { liteClient } from 'algoliasearch/lite';
import { obtainTokens, startIdp, type IdpOptions, type RunningIdp } from '@newdreamflow/dev-idp';
import { startEngine, type RunningEngine } from '@newdreamflow/engine';
import { createAlgoliaClient, toClientHosts } from '../src/algolia/client';
import type { KeyServiceConfig } from '../src/config';
import { DEFAULT_ALGORITHMS } from '../src/config';
import { createLogger, type Logger } from '../src/logger';
import { startKeyService, type RunningKeyService } from '../src/server';
import type { SearchKeyResponse } from '../src/secured-key';
import { createSearchOnlyKey, setupIndices } from '../src/setup';

/**
 * The real system on 127.0.0.1 with ephemeral ports, in-process: the local engine, the dev IdP
 * and the key service, indices set up. Tokens come from the real authorization-code + PKCE flow.
 */
export interface Harness {
  engine: RunningEngine;
  idp: RunningIdp;
  ks: RunningKeyService;
  config: KeyServiceConfig;
  dataDir: string;
  /** JSON log lines the key service wrote. */
  logs: string[];
  /** Access token of a demo account (cached per username). */
  token(username: string): Promise<string>;
  /** The `sub` of a demo account. */
  sub(username: string): string;
  /** Calls the key service. */
  call(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<Reply>;
  /** A search-only client for a user's secured key (the lite client the renderer uses). */
  searchAs(username: string): Promise<{ key: SearchKeyResponse; client: ReturnType<typeof liteClient> }>;
  /** An admin client (for assertions that look behind the gateway). */
  admin: ReturnType<typeof createAlgoliaClient>;
  close(): Promise<void>;
}

/** A parsed HTTP answer. */
export interface Reply {
  status: number;
  headers: Headers;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test assertions probe arbitrary shapes
}

/** Options of {@link startHarness}. */
export interface HarnessOptions {
  indexingDelayMs?: number;
  indexPrefix?: string;
  maxRecordBytes?: number;
  accounts?: IdpOptions['accounts'];
  rateLimit?: { perMinute: number; burst: number };
  logger?: Logger;
}

/** Starts engine, IdP and key service; call `close()` in afterAll. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ks-harness-'));
  const appId = 'NDFTEST';
  const adminKey = `admin-${randomUUID()}`;
  const engine = await startEngine({
    port: 0,
    appId,
    adminKey,
    ...(options.indexingDelayMs !== undefined ? { indexingDelayMs: options.indexingDelayMs } : {}),
    ...(options.maxRecordBytes !== undefined ? { maxRecordBytes: options.maxRecordBytes } : {}),
  });
  const indexPrefix = options.indexPrefix ?? 'test_';
  // The parent of secured keys is created through the keys API, as on a real Algolia app.
  const admin = createAlgoliaClient(appId, adminKey, [engine.url]);
  const searchKey = await createSearchOnlyKey(admin, indexPrefix);
  const idp = await startIdp({
    port: 0,
    dataDir: join(dataDir, 'idp'),
    log: () => {},
    ...(options.accounts ? { accounts: options.accounts } : {}),
  });
  const config: KeyServiceConfig = {
    oidc: {
      issuer: idp.issuer,
      audience: idp.audience,
      algorithms: DEFAULT_ALGORITHMS,
      clockToleranceSeconds: 30,
    },
    algolia: { appId, adminKey, searchKey, hosts: [engine.url] },
    indexPrefix,
    searchKeyTtlSeconds: 900,
    media: { kind: 'disk', dir: join(dataDir, 'media') },
    maxRecordBytes: options.maxRecordBytes ?? 10_000,
    maxBodyBytes: 1_000_000,
    rateLimit: options.rateLimit ?? { perMinute: 100_000, burst: 100_000 },
    publicUrl: undefined,
  };
  await setupIndices(admin, indexPrefix);
  const logs: string[] = [];
  const ks = await startKeyService(
    { ...config, port: 0 },
    { logger: options.logger ?? createLogger((line) => logs.push(line)) },
  );

  const tokens = new Map<string, Promise<string>>();
  const account = (username: string) => {
    const a = idp.accounts.find((x) => x.username === username);
    if (!a) throw new Error(`no account ${username}`);
    return a;
  };
  const token = (username: string): Promise<string> => {
    let t = tokens.get(username);
    if (!t) {
      const a = account(username);
      t = obtainTokens({
        issuer: idp.issuer,
        username: a.username,
        password: a.password,
        resource: idp.audience,
        scope: idp.scope,
      }).then((r) => r.access_token);
      tokens.set(username, t);
    }
    return t;
  };
  const call: Harness['call'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body: RequestInit['body'];
    if (o.body instanceof Uint8Array) body = new Blob([new Uint8Array(o.body)]);
    else if (o.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(o.body);
    }
    const res = await fetch(`${ks.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let json: unknown = text;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, headers: res.headers, json };
  };
  const searchAs: Harness['searchAs'] = async (username) => {
    const reply = await call('POST', '/v1/search-key', { token: await token(username) });
    if (reply.status !== 200)
      throw new Error(`search-key for ${username}: ${reply.status} ${JSON.stringify(reply.json)}`);
    const key = reply.json as SearchKeyResponse;
    const hosts = toClientHosts(key.hosts);
    return { key, client: liteClient(key.appId, key.searchKey, hosts ? { hosts } : undefined) };
  };
  return {
    engine,
    idp,
    ks,
    config,
    dataDir,
    logs,
    token,
    sub: (u) => account(u).sub,
    call,
    searchAs,
    admin,
    async close() {
      await ks.close();
      await idp.close();
      await engine.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A dream create body with sensible defaults. */
export function dreamInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: 'Flying over the sea',
    description: 'I flew.',
    dream_date: 1_700_000_000,
    tags: ['flying'],
    themes: ['freedom'],
    ...overrides,
  };
}
