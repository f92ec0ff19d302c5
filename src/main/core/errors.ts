import type { IpcError, IpcErrorCode } from '../../shared/ipc';

/**
 * The one error type core services throw for expected failures. The IPC wrapper turns it into
 * `{ok: false, error: {code, message, details}}`; anything else becomes `internal` with a
 * generic message (internals never cross the boundary).
 */
export class CoreError extends Error {
  override readonly name = 'CoreError';
  constructor(
    readonly code: IpcErrorCode,
    message: string,
    readonly details?: IpcError['details'],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True when `error` is a {@link CoreError} (optionally with one of `codes`). */
export function isCoreError(error: unknown, ...codes: IpcErrorCode[]): error is CoreError {
  return error instanceof CoreError && (codes.length === 0 || codes.includes(error.code));
}
