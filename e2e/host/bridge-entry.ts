/**
 * Runs in the page (bundled by bridge-bundle.ts, injected with `page.addInitScript`): builds the
 * same API object the preload exposes, over Playwright bindings instead of ipcRenderer.
 */
import { createApi, type EventChannel } from '../../src/shared/ipc';

type Invoke = (channel: string, input: unknown) => Promise<unknown>;
const scope = globalThis as unknown as {
  __ndfInvoke?: Invoke;
  __ndfDeliver?: (channel: string, payload: unknown) => void;
  newdreamflow?: unknown;
};

const listeners = new Map<EventChannel, Set<(payload: unknown) => void>>();

const api = createApi({
  invoke: (channel, input) => {
    const binding = scope.__ndfInvoke;
    if (!binding) return Promise.reject(new Error('the host binding is missing'));
    return binding(channel, input);
  },
  subscribe: (channel, listener) => {
    const set = listeners.get(channel) ?? new Set();
    set.add(listener);
    listeners.set(channel, set);
    return () => {
      set.delete(listener);
    };
  },
});

Object.defineProperty(scope, '__ndfDeliver', {
  value: (channel: EventChannel, payload: unknown) => {
    for (const listener of listeners.get(channel) ?? []) listener(payload);
  },
  enumerable: false,
});
Object.defineProperty(scope, 'newdreamflow', {
  value: api,
  enumerable: true,
  writable: false,
  configurable: false,
});
