import {
  EVENT_CHANNELS,
  INVOKE_CHANNELS,
  type ChannelInput,
  type ChannelOutput,
  type EventChannel,
  type EventPayload,
  type InvokeChannel,
  invokeChannels,
} from './contract';
import { fail, isIpcResult, type IpcResult } from './envelope';

/** Stops an event subscription. Calling it twice is harmless. */
export type Unsubscribe = () => void;

type DomainOf<C extends string> = C extends `${infer D}:${string}` ? D : never;
/** The domains (`app`, `auth`, …) that group the API's methods. */
export type ApiDomain = DomainOf<InvokeChannel | EventChannel>;

type InvokeMethod<C extends InvokeChannel> = [ChannelInput<C>] extends [undefined]
  ? () => Promise<IpcResult<ChannelOutput<C>>>
  : (input: ChannelInput<C>) => Promise<IpcResult<ChannelOutput<C>>>;

type InvokeMethods<D extends string> = {
  readonly [C in InvokeChannel as C extends `${D}:${infer A}` ? A : never]: InvokeMethod<C>;
};

type EventMethods<D extends string> = {
  readonly [E in EventChannel as E extends `${D}:${infer A}` ? `on${Capitalize<A>}` : never]: (
    listener: (payload: EventPayload<E>) => void,
  ) => Unsubscribe;
};

/**
 * The object the preload exposes as `window.newdreamflow`: one frozen namespace per domain,
 * `domain.action(input)` for each invoke channel and `domain.onEvent(listener)` for each event
 * channel. Derived from the contract, so a new channel appears here without another edit.
 */
export type NewDreamFlowApi = { readonly [D in ApiDomain]: InvokeMethods<D> & EventMethods<D> };

/**
 * How the API reaches main. Electron's preload implements it with `ipcRenderer`; the e2e host
 * with Playwright bindings. The transport is never exposed to the page.
 */
export interface IpcTransport {
  /** Sends `input` on `channel` and resolves with main's raw answer (an envelope). */
  invoke(channel: InvokeChannel, input: unknown): Promise<unknown>;
  /** Calls `listener` with each payload main emits on `channel`; returns an unsubscribe. */
  subscribe(channel: EventChannel, listener: (payload: unknown) => void): Unsubscribe;
}

/** `app:getInfo` → `{domain: 'app', action: 'getInfo'}`. */
export function splitChannel(channel: string): { domain: string; action: string } {
  const at = channel.indexOf(':');
  return { domain: channel.slice(0, at), action: channel.slice(at + 1) };
}

/** The API method name of an event channel: `session:changed` → `onChanged`. */
export function eventMethodName(channel: EventChannel): string {
  const { action } = splitChannel(channel);
  return `on${action.charAt(0).toUpperCase()}${action.slice(1)}`;
}

/** Channels whose input schema accepts only `undefined`: their method takes no argument. */
function takesNoInput(channel: InvokeChannel): boolean {
  return invokeChannels[channel].input.safeParse(undefined).success;
}

/**
 * Builds the frozen API object from the contract over a transport. The methods hold no logic
 * beyond forwarding: main validates everything; this side only refuses to hand the page
 * anything that is not a well-formed envelope, and passes event payloads without the event.
 */
export function createApi(transport: IpcTransport): NewDreamFlowApi {
  const domains = new Map<string, Record<string, unknown>>();
  const namespace = (domain: string): Record<string, unknown> => {
    let ns = domains.get(domain);
    if (!ns) {
      ns = {};
      domains.set(domain, ns);
    }
    return ns;
  };

  for (const channel of INVOKE_CHANNELS) {
    const { domain, action } = splitChannel(channel);
    const noInput = takesNoInput(channel);
    namespace(domain)[action] = async (...args: unknown[]): Promise<IpcResult<unknown>> => {
      try {
        const answer = await transport.invoke(channel, noInput ? undefined : args[0]);
        return isIpcResult(answer) ? answer : fail('internal', 'Main answered with a malformed result.');
      } catch {
        return fail('internal', 'The request could not reach the main process.');
      }
    };
  }

  for (const channel of EVENT_CHANNELS) {
    const { domain } = splitChannel(channel);
    namespace(domain)[eventMethodName(channel)] = (listener: unknown): Unsubscribe => {
      if (typeof listener !== 'function') throw new TypeError('A listener function is required.');
      let active = true;
      const stop = transport.subscribe(channel, (payload) => {
        if (active) (listener as (payload: unknown) => void)(payload);
      });
      return () => {
        if (!active) return;
        active = false;
        stop();
      };
    };
  }

  // Plain objects: contextBridge copies them into the page's world.
  const api: Record<string, unknown> = {};
  for (const [domain, methods] of domains) api[domain] = Object.freeze(methods);
  return Object.freeze(api) as unknown as NewDreamFlowApi;
}
