import { INVOKE_CHANNELS, invokeChannels, type InvokeChannel } from '../../../shared/ipc';
import type { MainHandlers } from './dispatcher';

/**
 * A handler table for tests of the IPC wrapper: each handler records what reached it and
 * answers with a value its output schema accepts.
 */
export function recordingHandlers(): {
  handlers: MainHandlers;
  calls: { channel: InvokeChannel; input: unknown }[];
} {
  const calls: { channel: InvokeChannel; input: unknown }[] = [];
  const record = { objectID: '2d1f1c6e-8f7a-4c59-9d3e-4c0a4b0f5a10', title: 'x' };
  const key = { appId: 'app', searchKey: 'k', validUntil: 1, indices: ['dreams'], hosts: [] };
  const session = { status: 'signed-out', reason: 'initial', keychainAvailable: true } as const;
  const answers: { [C in InvokeChannel]: unknown } = {
    'app:getInfo': { name: 'NewDreamFlow', version: '1', platform: 'linux', theme: 'dark' },
    'app:openExternal': null,
    'auth:getSession': session,
    'auth:signIn': session,
    'auth:cancelSignIn': null,
    'auth:signOut': session,
    'search:getKey': key,
    'search:reportKeyRejected': key,
    'records:get': record,
    'records:create': record,
    'records:update': record,
    'records:delete': null,
  };
  const handlers = Object.fromEntries(
    INVOKE_CHANNELS.map((channel) => [
      channel,
      (input: unknown) => {
        calls.push({ channel, input });
        return answers[channel];
      },
    ]),
  ) as unknown as MainHandlers;
  // Sanity: the canned answers match the contract (a wrong one would hide real failures).
  for (const channel of INVOKE_CHANNELS) invokeChannels[channel].output.parse(answers[channel]);
  return { handlers, calls };
}
