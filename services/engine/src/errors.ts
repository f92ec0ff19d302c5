/**
 * An error the engine answers with, shaped like Algolia's: the HTTP layer turns it into
 * `{"message": ..., "status": ...}` with the same status code. Never use an `error` key in
 * bodies: the official clients treat that differently.
 */
export class AlgoliaError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'AlgoliaError';
  }
}
