/**
 * An error the engine answers with, shaped like Algolia's: the HTTP layer turns it into
 * `{"message": ..., "status": ...}` with the same status code. Never use an `error` key in
 * bodies: the official clients treat that differently.
 */
export class AlgoliaError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Members Algolia adds to some errors' bodies, between `message` and `status`. */
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = 'AlgoliaError';
  }
}

/**
 * An error about one item of a request's `requests` list: the HTTP layer adds where the item ends
 * in the body, as Algolia's parser does (`… near line:1 column:20640`).
 */
export class ItemError extends AlgoliaError {
  constructor(
    message: string,
    /** The item's place in the list. */
    readonly item: number,
  ) {
    super(400, message);
  }
}
