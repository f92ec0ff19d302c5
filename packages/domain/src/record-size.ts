import { DEFAULT_RECORD_LIMIT_BYTES } from './limits';
import { utf8ByteLength } from './utf8';

/** Size of a record as Algolia counts it: the UTF-8 bytes of its JSON serialization. */
export function recordSizeBytes(record: unknown): number {
  const json = JSON.stringify(record);
  if (json === undefined) throw new TypeError('record is not JSON-serializable');
  return utf8ByteLength(json);
}

/** Thrown when a record is over the engine's size limit (the key service answers 413). */
export class RecordTooLargeError extends Error {
  override readonly name = 'RecordTooLargeError';
  /** Stable machine-readable code. */
  readonly code = 'record_too_large';

  constructor(
    /** Index the record was meant for, when known. */
    readonly indexName: string | undefined,
    /** The record's objectID, when it has one. */
    readonly objectID: string | undefined,
    /** Its size in bytes. */
    readonly sizeBytes: number,
    /** The limit it exceeds. */
    readonly limitBytes: number,
  ) {
    super(
      `record ${objectID ?? '(no objectID)'}${indexName ? ` in ${indexName}` : ''} is ${sizeBytes} bytes, over the ${limitBytes}-byte limit`,
    );
  }
}

/**
 * Throws {@link RecordTooLargeError} when `record` is over `limitBytes` (default 10,000: Algolia's
 * entry plan); returns its size otherwise.
 */
export function assertRecordSize(
  record: unknown,
  limitBytes: number = DEFAULT_RECORD_LIMIT_BYTES,
  indexName?: string,
): number {
  if (!Number.isInteger(limitBytes) || limitBytes <= 0)
    throw new RangeError(`limitBytes must be a positive integer, got ${limitBytes}`);
  const size = recordSizeBytes(record);
  if (size > limitBytes) {
    const id =
      typeof record === 'object' && record !== null ? (record as { objectID?: unknown }).objectID : undefined;
    throw new RecordTooLargeError(indexName, typeof id === 'string' ? id : undefined, size, limitBytes);
  }
  return size;
}
