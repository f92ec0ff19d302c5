import { randomUUID } from 'node:crypto';
import type { Logger } from '../log/logger';
import { KEYCHAIN_SERVICE, MemorySecretStore, type SecretStore } from './secret-store';

/** The part of keytar this store uses (keytar is loaded lazily: it is a native module). */
export interface KeytarApi {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  findCredentials(service: string): Promise<{ account: string; password: string }[]>;
}

/** The OS keychain through keytar (Secret Service, macOS Keychain, Windows Credential Vault). */
export class KeytarSecretStore implements SecretStore {
  readonly kind = 'keychain' as const;
  constructor(
    private readonly keytar: KeytarApi,
    private readonly service: string = KEYCHAIN_SERVICE,
  ) {}

  get(account: string): Promise<string | null> {
    return this.keytar.getPassword(this.service, account);
  }

  set(account: string, secret: string): Promise<void> {
    return this.keytar.setPassword(this.service, account, secret);
  }

  delete(account: string): Promise<boolean> {
    return this.keytar.deletePassword(this.service, account);
  }

  async list(): Promise<string[]> {
    return (await this.keytar.findCredentials(this.service)).map((entry) => entry.account);
  }
}

/** Loads keytar's native module. */
export async function loadKeytar(): Promise<KeytarApi> {
  const module = (await import('keytar')) as { default?: KeytarApi } & Partial<KeytarApi>;
  const api = module.default ?? (module as KeytarApi);
  if (typeof api.getPassword !== 'function') throw new Error('keytar did not load');
  return api;
}

/** The outcome of looking for a usable keychain. */
export type KeychainProbe =
  | { readonly available: true; readonly store: KeytarSecretStore }
  | { readonly available: false; readonly reason: string };

/**
 * Checks that the keychain really stores and returns a secret (a write, read and delete of a
 * throwaway entry). A locked or foreign keyring can make reads resolve `null` silently, and a
 * missing Secret Service rejects; either way the answer is "not available" with the reason.
 */
export async function probeKeychain(
  options: { service?: string; load?: () => Promise<KeytarApi> } = {},
): Promise<KeychainProbe> {
  const service = options.service ?? KEYCHAIN_SERVICE;
  let keytar: KeytarApi;
  try {
    keytar = await (options.load ?? loadKeytar)();
  } catch (error) {
    return { available: false, reason: `keytar could not load: ${describe(error)}` };
  }
  const account = `probe:${randomUUID()}`;
  const secret = randomUUID();
  try {
    await keytar.setPassword(service, account, secret);
    const read = await keytar.getPassword(service, account);
    await keytar.deletePassword(service, account);
    if (read !== secret)
      return {
        available: false,
        reason: 'the keychain did not return what was stored (locked or foreign keyring?)',
      };
  } catch (error) {
    return { available: false, reason: `the keychain is not reachable: ${describe(error)}` };
  }
  return { available: true, store: new KeytarSecretStore(keytar, service) };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The store the app uses: the keychain when it works, otherwise the in-memory store (the app
 * fails closed — session-only sign-in with a visible warning, never a plaintext file).
 */
export async function openSecretStore(options: {
  logger: Logger;
  service?: string;
  load?: () => Promise<KeytarApi>;
}): Promise<SecretStore> {
  const probe = await probeKeychain({
    ...(options.service ? { service: options.service } : {}),
    ...(options.load ? { load: options.load } : {}),
  });
  if (probe.available) return probe.store;
  options.logger.warn('vault.keychain-unavailable', { reason: probe.reason });
  return new MemorySecretStore();
}
