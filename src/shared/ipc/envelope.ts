import { z } from 'zod';

/**
 * Every failure that can cross the IPC boundary, by code. The renderer branches on `code`;
 * `message` is for people and never carries a token, code or key.
 */
export const IPC_ERROR_CODES = [
  // The IPC wrapper itself.
  'unknown-channel',
  'forbidden-sender',
  'invalid-input',
  'internal',
  // Session and sign-in.
  'unauthenticated',
  'sign-in-cancelled',
  'sign-in-timeout',
  'sign-in-failed',
  'sign-in-in-progress',
  // The key service (records and search keys).
  'validation',
  'forbidden',
  'conflict',
  'not-found',
  'rate-limited',
  'offline',
  'unavailable',
] as const;

/** One of {@link IPC_ERROR_CODES}. */
export type IpcErrorCode = (typeof IPC_ERROR_CODES)[number];

/** Structured extras some errors carry: the current record on a conflict, a retry hint. */
export const ipcErrorDetailsSchema = z
  .object({
    current: z.record(z.string(), z.unknown()).optional(),
    retryAfterSeconds: z.number().nonnegative().optional(),
  })
  .strict();

/** The error half of the result envelope. */
export const ipcErrorSchema = z
  .object({
    code: z.enum(IPC_ERROR_CODES),
    message: z.string(),
    details: ipcErrorDetailsSchema.optional(),
  })
  .strict();

/** An error as it crosses the boundary. */
export type IpcError = z.infer<typeof ipcErrorSchema>;

/** What every invoke resolves to: handlers never throw across the boundary. */
export type IpcResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: IpcError };

/** Builds a success envelope. */
export function ok<T>(value: T): IpcResult<T> {
  return { ok: true, value };
}

/** Builds a failure envelope. */
export function fail(code: IpcErrorCode, message: string, details?: IpcError['details']): IpcResult<never> {
  return details === undefined
    ? { ok: false, error: { code, message } }
    : { ok: false, error: { code, message, details } };
}

/** Checks the shape of an envelope that arrived from the other side (the preload trusts nothing). */
export function isIpcResult(value: unknown): value is IpcResult<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  if (record['ok'] === true) return 'value' in record;
  if (record['ok'] === false) return ipcErrorSchema.safeParse(record['error']).success;
  return false;
}
