/**
 * @newdreamflow/engine — a local server speaking Algolia's Search REST protocol: the embedded
 * default of NewDreamFlow and Algolia's stand-in in every test.
 */
import type { AddressInfo } from 'node:net';
import { Engine } from './engine';
import { createProtocolServer } from './http/server';

export { AlgoliaError } from './errors';
export { Engine, type EngineOptions, type IndexEntry, type Operation } from './engine';
export { SearchIndex } from './core/search-index';
export { AlgoliaProtocol, createProtocolServer } from './http/server';
/** Algolia's filter languages (parse to CNF, combine, evaluate, print): one implementation for every package. */
export {
  MAX_FILTER_DEPTH,
  MAX_FILTERS,
  andFilters,
  facetFiltersToExpr,
  filterAttributes,
  matchesAtom,
  matchesFilter,
  numericFiltersToExpr,
  optionalFiltersToList,
  parseFilters,
  printFilters,
  quoteFilterValue,
  tagFiltersToExpr,
  valuesAt,
  type FilterAtom,
  type FilterExpr,
  type NumericOperator,
  type OptionalFilter,
  type OrGroup,
} from './filters/index';

/** Options of {@link startEngine}. */
export interface StartEngineOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Host to bind; 127.0.0.1 unless told otherwise. */
  host?: string;
  /** Data folder; without it the engine keeps everything in memory. */
  dataDir?: string;
  appId: string;
  adminKey: string;
  /** A stored search-only key (ACL `search`): the parent of secured keys. */
  searchKey?: string;
  /** Writes become visible after this delay (tasks `notPublished` until then). */
  indexingDelayMs?: number;
  /** Record size limit in bytes (default 10,000, Algolia's entry plan). */
  maxRecordBytes?: number;
  /** Log size that triggers a snapshot (default 128 MiB). */
  compactBytes?: number;
}

/** A running engine. */
export interface RunningEngine {
  /** Base URL, e.g. `http://127.0.0.1:7700`. */
  url: string;
  port: number;
  engine: Engine;
  /** Stops accepting requests, flushes the log, writes a snapshot. */
  close(): Promise<void>;
}

/** Opens the data folder and starts the HTTP server. */
export async function startEngine(options: StartEngineOptions): Promise<RunningEngine> {
  const engine = Engine.open({
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
    ...(options.indexingDelayMs !== undefined ? { indexingDelayMs: options.indexingDelayMs } : {}),
    ...(options.maxRecordBytes !== undefined ? { maxRecordBytes: options.maxRecordBytes } : {}),
    ...(options.compactBytes !== undefined ? { compactBytes: options.compactBytes } : {}),
  });
  const { server } = createProtocolServer({
    engine,
    appId: options.appId,
    adminKey: options.adminKey,
    ...(options.searchKey ? { searchKey: options.searchKey } : {}),
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${port}`,
    port,
    engine,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await engine.close();
      })();
      return closing;
    },
  };
}
