import {
  fail,
  INVOKE_CHANNELS,
  invokeChannels,
  isInvokeChannel,
  ok,
  type ChannelOutput,
  type InvokeChannel,
  type IpcResult,
  type ParsedInput,
} from '../../../shared/ipc';
import { CoreError } from '../errors';
import type { Logger } from '../log/logger';
import { checkPayload, DEFAULT_PAYLOAD_LIMITS, type PayloadLimits } from './payload-limits';
import type { SenderInfo, SenderPolicy } from './sender';

/** Context a handler receives beside its parsed input. */
export interface HandlerContext {
  readonly sender: SenderInfo;
}

/** One handler per invoke channel, typed from the contract. */
export type MainHandlers = {
  readonly [C in InvokeChannel]: (
    input: ParsedInput<C>,
    context: HandlerContext,
  ) => Promise<ChannelOutput<C>> | ChannelOutput<C>;
};

/** The single entry point both transports (Electron IPC, Playwright bindings) call. */
export interface Dispatcher {
  /** Never rejects: every outcome is an envelope. */
  dispatch(channel: unknown, input: unknown, sender: SenderInfo): Promise<IpcResult<unknown>>;
  readonly channels: readonly InvokeChannel[];
}

export interface DispatcherOptions {
  readonly handlers: MainHandlers;
  readonly isTrustedSender: SenderPolicy;
  readonly logger: Logger;
  readonly limits?: PayloadLimits;
}

/**
 * The one IPC wrapper (DESIGN.md "Practices"): sender check, structural payload check, strict
 * schema parse, the handler, output parse (which strips undeclared fields), and an envelope for
 * every outcome. Logs the channel, the outcome and the duration — never the payload.
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { handlers, isTrustedSender, logger } = options;
  const limits = options.limits ?? DEFAULT_PAYLOAD_LIMITS;
  for (const channel of INVOKE_CHANNELS) {
    if (typeof handlers[channel] !== 'function') throw new Error(`No IPC handler for ${channel}`);
  }

  async function run(
    channel: InvokeChannel,
    input: unknown,
    sender: SenderInfo,
  ): Promise<IpcResult<unknown>> {
    const spec = invokeChannels[channel];
    const problem = checkPayload(input, limits);
    if (problem !== null) return fail('invalid-input', `Rejected input: ${problem}.`);
    const parsed = spec.input.safeParse(input);
    if (!parsed.success) {
      const paths = parsed.error.issues.slice(0, 5).map((issue) => issue.path.join('.') || '(input)');
      return fail('invalid-input', `Invalid input at ${[...new Set(paths)].join(', ')}.`);
    }
    const handler = handlers[channel] as (input: unknown, context: HandlerContext) => unknown;
    const value = await handler(parsed.data, { sender });
    const output = spec.output.safeParse(value);
    if (!output.success) {
      logger.error('ipc.output-invalid', { channel });
      return fail('internal', 'Main produced an invalid result.');
    }
    return ok(output.data);
  }

  return {
    channels: INVOKE_CHANNELS,
    async dispatch(channel, input, sender) {
      const started = performance.now();
      const safeChannel = isInvokeChannel(channel) ? channel : null;
      let result: IpcResult<unknown>;
      if (safeChannel === null) {
        result = fail('unknown-channel', 'Unknown channel.');
      } else if (!isTrustedSender(sender)) {
        result = fail('forbidden-sender', 'This frame may not call the app.');
      } else {
        try {
          result = await run(safeChannel, input, sender);
        } catch (error) {
          result =
            error instanceof CoreError
              ? fail(error.code, error.message, error.details)
              : fail('internal', 'Something went wrong in the app. Try again.');
          if (!(error instanceof CoreError))
            logger.error('ipc.handler-threw', { channel: safeChannel, errorName: errorName(error) });
        }
      }
      const fields = {
        channel: safeChannel ?? '(unknown)',
        outcome: result.ok ? 'ok' : result.error.code,
        ms: Math.round(performance.now() - started),
      };
      if (result.ok) logger.info('ipc', fields);
      else logger.warn('ipc', fields);
      return result;
    },
  };
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
