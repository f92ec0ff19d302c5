import type { z } from 'zod';
import { ApiError } from '../errors';

/** One field error in a 400 answer: a dotted path into the request body and what is wrong. */
export interface FieldError {
  path: string;
  message: string;
}

/** Zod issues as field errors, paths prefixed with where the value sat in the request. */
export function fieldErrors(error: z.ZodError, prefix: readonly (string | number)[] = []): FieldError[] {
  return error.issues.map((i) => ({
    path: [...prefix, ...i.path.map((p) => (typeof p === 'symbol' ? p.toString() : p))].join('.') || '(body)',
    message: i.message,
  }));
}

/** Parses `value` with `schema` or throws a 400 {@link ApiError} listing every field error. */
export function parseOr400<S extends z.ZodType>(
  schema: S,
  value: unknown,
  prefix: readonly (string | number)[] = [],
  what = 'the request',
): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ApiError('invalid_request', `${what} is invalid`, {
      fields: fieldErrors(result.error, prefix),
    });
  }
  return result.data;
}
