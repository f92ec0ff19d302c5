import type { Algoliasearch } from 'algoliasearch';
import { algoliaStatus, withRetries, type RetryOptions } from '../algolia/client';

/** A stored record as read with the admin key (validated by callers against domain schemas). */
export type StoredObject = Record<string, unknown> & { objectID: string };

/** One write of a batch on one index. */
export type BatchWrite =
  | { action: 'partialUpdateObject'; body: Record<string, unknown> & { objectID: string } }
  | { action: 'partialUpdateObjectNoCreate'; body: Record<string, unknown> & { objectID: string } }
  | { action: 'updateObject'; body: Record<string, unknown> & { objectID: string } }
  | { action: 'deleteObject'; body: { objectID: string } };

/**
 * The gateway's only door to Algolia (or the local engine), with the admin key. Every write waits
 * for its task to be published, so a read that follows sees it; whole steps are retried with
 * bounded backoff on 5xx/network errors (the client already fails over between hosts).
 */
export class RecordStore {
  constructor(
    private readonly client: Algoliasearch,
    private readonly retry: RetryOptions = {},
  ) {}

  /** Reads one record, or null when it does not exist. */
  async get(indexName: string, objectID: string): Promise<StoredObject | null> {
    return withRetries(async () => {
      try {
        return await this.client.getObject<StoredObject>({ indexName, objectID });
      } catch (error) {
        if (algoliaStatus(error) === 404) return null;
        throw error;
      }
    }, this.retry);
  }

  /** Reads several records of one index (null for each missing one), in order. */
  async getMany(indexName: string, objectIDs: readonly string[]): Promise<Array<StoredObject | null>> {
    if (objectIDs.length === 0) return [];
    const out: Array<StoredObject | null> = [];
    for (let i = 0; i < objectIDs.length; i += 1000) {
      const slice = objectIDs.slice(i, i + 1000);
      const { results } = await withRetries(
        () => this.client.getObjects({ requests: slice.map((objectID) => ({ indexName, objectID })) }),
        this.retry,
      );
      for (const r of results) out.push((r as StoredObject | null) ?? null);
    }
    return out;
  }

  /**
   * A partial update (built-in operations allowed), waited for. With IncrementFrom on `version`
   * the engine may ignore it silently; the caller reads back to know.
   */
  async partialUpdate(
    indexName: string,
    objectID: string,
    attributes: Record<string, unknown>,
    createIfNotExists: boolean,
  ): Promise<void> {
    const { taskID } = await withRetries(
      () =>
        this.client.partialUpdateObject({
          indexName,
          objectID,
          attributesToUpdate: attributes,
          createIfNotExists,
        }),
      this.retry,
    );
    if (taskID === undefined) throw new Error('partial update answered without a taskID');
    await this.waitForTask(indexName, taskID);
  }

  /** Applies writes to one index in order as one batch, waited for. */
  async batch(indexName: string, requests: readonly BatchWrite[]): Promise<void> {
    for (let i = 0; i < requests.length; i += 1000) {
      const chunk = requests.slice(i, i + 1000);
      const { taskID } = await withRetries(
        () =>
          this.client.batch({
            indexName,
            batchWriteParams: { requests: chunk.map((r) => ({ action: r.action, body: r.body })) },
          }),
        this.retry,
      );
      await this.waitForTask(indexName, taskID);
    }
  }

  /** Deletes one record, waited for (deleting a missing record is not an error). */
  async delete(indexName: string, objectID: string): Promise<void> {
    const { taskID } = await withRetries(() => this.client.deleteObject({ indexName, objectID }), this.retry);
    await this.waitForTask(indexName, taskID);
  }

  /** Every record matching `filters` (admin browse), with only `attributes` when given. */
  async browse(indexName: string, filters: string, attributes?: readonly string[]): Promise<StoredObject[]> {
    const hits: StoredObject[] = [];
    await withRetries(async () => {
      hits.length = 0;
      try {
        await this.client.browseObjects<StoredObject>({
          indexName,
          browseParams: {
            hitsPerPage: 1000,
            attributesToHighlight: [],
            attributesToSnippet: [],
            ...(filters ? { filters } : {}),
            ...(attributes ? { attributesToRetrieve: [...attributes] } : {}),
          },
          aggregator: (res) => {
            for (const hit of res.hits) hits.push(withoutSearchMetadata(hit));
          },
        });
      } catch (error) {
        // A missing index holds no records.
        if (algoliaStatus(error) !== 404) throw error;
      }
    }, this.retry);
    return hits;
  }

  private async waitForTask(indexName: string, taskID: number): Promise<void> {
    await withRetries(
      () =>
        this.client.waitForTask({
          indexName,
          taskID,
          maxRetries: 300,
          timeout: (n) => Math.min(25 * (n + 1), 250),
        }),
      this.retry,
    );
  }
}

/** A browse hit as the stored record (search metadata such as `_highlightResult` removed). */
function withoutSearchMetadata(hit: StoredObject): StoredObject {
  const { _highlightResult: _h, _snippetResult: _s, _rankingInfo: _r, _distinctSeqID: _d, ...record } = hit;
  return record;
}
