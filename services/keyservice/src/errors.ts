/**
 * The key service's error vocabulary. Every failure a client can see is an {@link ApiError}; the
 * single error handler in app.ts turns anything else into an opaque 500/503 so internals never leak.
 */

/** Stable machine-readable error codes, one per HTTP status the API uses. */
export type ErrorCode =
  | 'invalid_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

const statusByCode: Record<ErrorCode, 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 500 | 503> = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

/** The JSON body of every error answer: `{"error": {"code", "message", "details"}}`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details: unknown };
}

/** An error meant for the client: its message and details are safe to show. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  /** Seconds the client should wait (429/503), sent as `Retry-After`. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    details: unknown = null,
    retryAfterSeconds?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ApiError';
    this.code = code;
    this.details = details;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The HTTP status for this error's code. */
  get status(): number {
    return statusByCode[this.code];
  }

  /** The wire form of this error. */
  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

/** Builds the wire body for an error code without throwing (used by middleware). */
export function errorBody(code: ErrorCode, message: string, details: unknown = null): ErrorBody {
  return { error: { code, message, details } };
}

/** The HTTP status of an error code. */
export function statusOf(code: ErrorCode): number {
  return statusByCode[code];
}
