import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INVOKE_CHANNELS, invokeChannels, isIpcResult, type InvokeChannel } from '../../../shared/ipc';
import { silentLogger } from '../log/logger';
import { createDispatcher } from './dispatcher';
import { checkPayload } from './payload-limits';
import { appTopFrameOnly, type SenderInfo } from './sender';
import { recordingHandlers } from './test-handlers';

// IPC fuzz: every channel × 2,000 arbitrary payloads × sender variants. The wrapper must never
// throw, always answer an envelope, let nothing invalid reach a handler, call a handler only for
// the trusted top frame, and never pollute a prototype.
const APP = 'app://newdreamflow';
const RUNS = 2_000;

const TEN_MB = 'x'.repeat(10 * 1024 * 1024);
let deep: unknown = {};
for (let i = 0; i < 5_000; i += 1) deep = { d: deep };
const hostile: unknown[] = [
  TEN_MB,
  { record: TEN_MB },
  deep,
  JSON.parse('{"__proto__":{"polluted":true}}'),
  JSON.parse(
    `{"index":"dreams","id":"2d1f1c6e-8f7a-4c59-9d3e-4c0a4b0f5a10","mutationId":"2d1f1c6e-8f7a-4c59-9d3e-4c0a4b0f5a11","record":{"__proto__":{"polluted":true}}}`,
  ),
  JSON.parse('{"constructor":{"prototype":{"polluted":true}}}'),
  { url: 'javascript:alert(1)' },
  Object.create({ polluted: true }) as unknown,
  [],
  null,
  Number.POSITIVE_INFINITY,
];

const uuid = fc.uuid({ version: 4 });
const index = fc.constantFrom(
  'dreams',
  'things',
  'stories',
  'patterns',
  'groups',
  'profiles_public',
  'users',
  '__proto__',
);
const json = fc.jsonValue({ maxDepth: 4 });
const jsonObject = fc.dictionary(
  fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'prototype', 'objectID')),
  json,
  { maxKeys: 6 },
);
const extraKeys = fc.option(fc.dictionary(fc.string({ maxLength: 8 }), json, { maxKeys: 2 }), {
  nil: undefined,
});

/** Near-valid inputs, so that a good share of runs passes the schema and reaches the handler. */
const plausible: Record<InvokeChannel, fc.Arbitrary<unknown>> = {
  'app:getInfo': fc.constant(undefined),
  'app:openExternal': fc.record({ url: fc.oneof(fc.webUrl(), fc.string()) }),
  'auth:getSession': fc.constant(undefined),
  'auth:signIn': fc.constant(undefined),
  'auth:cancelSignIn': fc.constant(undefined),
  'auth:signOut': fc.constant(undefined),
  'search:getKey': fc.constant(undefined),
  'search:reportKeyRejected': fc.record({ status: fc.oneof(fc.constantFrom(400, 401, 403), fc.integer()) }),
  'records:get': fc.record({ index, id: uuid }),
  'records:create': fc.record({ index, id: uuid, record: jsonObject, mutationId: uuid }),
  'records:update': fc.record({
    index,
    id: uuid,
    changes: jsonObject,
    baseVersion: fc.integer({ min: -1, max: 5 }),
    mutationId: uuid,
  }),
  'records:delete': fc.record({
    index,
    id: uuid,
    baseVersion: fc.integer({ min: -1, max: 5 }),
    mutationId: uuid,
  }),
};

const sender: fc.Arbitrary<SenderInfo> = fc.constantFrom(
  { frameIsTop: true, origin: APP },
  { frameIsTop: true, origin: APP },
  { frameIsTop: false, origin: APP },
  { frameIsTop: true, origin: null },
  { frameIsTop: true, origin: 'null' },
  { frameIsTop: true, origin: 'https://evil.example' },
  { frameIsTop: false, origin: null },
);

function payloads(channel: InvokeChannel): fc.Arbitrary<unknown> {
  const withExtra = fc
    .tuple(plausible[channel], extraKeys)
    .map(([value, extra]) =>
      extra && typeof value === 'object' && value !== null ? { ...value, ...extra } : value,
    );
  return fc.oneof(
    { weight: 4, arbitrary: plausible[channel] },
    { weight: 2, arbitrary: withExtra },
    {
      weight: 2,
      arbitrary: fc.anything({
        maxDepth: 4,
        withNullPrototype: true,
        withMap: true,
        withSet: true,
        withDate: true,
        withTypedArray: true,
        withBigInt: true,
        withSparseArray: true,
      }),
    },
    { weight: 1, arbitrary: fc.constantFrom(...hostile) },
  );
}

describe('IPC fuzz', () => {
  for (const channel of INVOKE_CHANNELS) {
    it(`${channel}: ${RUNS} arbitrary payloads × sender variants`, async () => {
      const { handlers, calls } = recordingHandlers();
      const dispatcher = createDispatcher({
        handlers,
        isTrustedSender: appTopFrameOnly([APP]),
        logger: silentLogger,
      });
      let reached = 0;
      await fc.assert(
        fc.asyncProperty(payloads(channel), sender, async (payload, from) => {
          calls.length = 0;
          const result = await dispatcher.dispatch(channel, payload, from);
          expect(isIpcResult(result)).toBe(true);
          const trusted = from.frameIsTop && from.origin === APP;
          if (!trusted) {
            expect(result).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });
            expect(calls).toEqual([]);
          }
          for (const call of calls) {
            reached += 1;
            expect(call.channel).toBe(channel);
            expect(checkPayload(call.input)).toBeNull();
            expect(invokeChannels[channel].input.safeParse(call.input).success).toBe(true);
          }
          expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
          expect(Object.prototype).not.toHaveProperty('polluted');
        }),
        { numRuns: RUNS },
      );
      // The generators must reach the handler sometimes, or the property above proves little.
      expect(reached).toBeGreaterThan(0);
    });
  }
});
