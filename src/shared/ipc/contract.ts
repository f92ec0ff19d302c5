import { z } from 'zod';
import {
  appInfoSchema,
  createRecordInputSchema,
  deleteRecordInputSchema,
  keyRejectedInputSchema,
  menuCommandSchema,
  openExternalInputSchema,
  recordRefSchema,
  recordSchema,
  searchKeySchema,
  sessionStateSchema,
  themeSchema,
  updateRecordInputSchema,
} from './schemas';

/** Channels with no input take nothing: `undefined` is the only accepted payload. */
const none = z.undefined();

/**
 * Every request/response channel: `domain:action` → input and output schemas. This object is
 * the single source of channel names; main's handler table, the preload's API object and the
 * renderer's types are all derived from it.
 */
export const invokeChannels = {
  'app:getInfo': { input: none, output: appInfoSchema },
  'app:openExternal': { input: openExternalInputSchema, output: z.null() },

  'auth:getSession': { input: none, output: sessionStateSchema },
  'auth:signIn': { input: none, output: sessionStateSchema },
  'auth:cancelSignIn': { input: none, output: z.null() },
  'auth:signOut': { input: none, output: sessionStateSchema },

  'search:getKey': { input: none, output: searchKeySchema },
  'search:reportKeyRejected': { input: keyRejectedInputSchema, output: searchKeySchema },

  'records:get': { input: recordRefSchema, output: recordSchema },
  'records:create': { input: createRecordInputSchema, output: recordSchema },
  'records:update': { input: updateRecordInputSchema, output: recordSchema },
  'records:delete': { input: deleteRecordInputSchema, output: z.null() },
} as const satisfies Record<`${string}:${string}`, { input: z.ZodType; output: z.ZodType }>;

/** Every main → renderer event channel and its payload schema. */
export const eventChannels = {
  'app:themeChanged': themeSchema,
  'app:menuCommand': menuCommandSchema,
  'session:changed': sessionStateSchema,
  'search:keyChanged': searchKeySchema.nullable(),
} as const satisfies Record<`${string}:${string}`, z.ZodType>;

/** A request/response channel name. */
export type InvokeChannel = keyof typeof invokeChannels;
/** An event channel name. */
export type EventChannel = keyof typeof eventChannels;

/** What a caller passes on `C` (before parsing). */
export type ChannelInput<C extends InvokeChannel> = z.input<(typeof invokeChannels)[C]['input']>;
/** What a handler receives on `C` (after parsing). */
export type ParsedInput<C extends InvokeChannel> = z.output<(typeof invokeChannels)[C]['input']>;
/** What a handler returns on `C`. */
export type ChannelOutput<C extends InvokeChannel> = z.output<(typeof invokeChannels)[C]['output']>;
/** The payload of event `E`. */
export type EventPayload<E extends EventChannel> = z.output<(typeof eventChannels)[E]>;

/** All invoke channel names, in declaration order. */
export const INVOKE_CHANNELS = Object.keys(invokeChannels) as InvokeChannel[];
/** All event channel names, in declaration order. */
export const EVENT_CHANNELS = Object.keys(eventChannels) as EventChannel[];

/** Type guard for names that arrive from the other side of a transport. */
export function isInvokeChannel(name: unknown): name is InvokeChannel {
  return typeof name === 'string' && Object.hasOwn(invokeChannels, name);
}

/** Type guard for event names. */
export function isEventChannel(name: unknown): name is EventChannel {
  return typeof name === 'string' && Object.hasOwn(eventChannels, name);
}
