import { recordSchema, type IndexName, type JsonObject, type StoredRecord } from '../../../shared/ipc';
import { CoreError } from '../errors';
import { errorForStatus, type KeyServiceHttp } from '../http/key-service-http';

/**
 * The key service's write gateway and permission-checked reads. Failures are typed
 * ({@link CoreError} codes `validation`, `forbidden`, `conflict` with the current record,
 * `not-found`, `rate-limited` with retry-after, `offline`, `unavailable`). The outbox sits in
 * front of this interface and replays through it.
 */
export interface RecordsGateway {
  get(index: IndexName, id: string): Promise<StoredRecord>;
  create(index: IndexName, id: string, record: JsonObject, mutationId: string): Promise<StoredRecord>;
  update(
    index: IndexName,
    id: string,
    changes: JsonObject,
    baseVersion: number,
    mutationId: string,
  ): Promise<StoredRecord>;
  delete(index: IndexName, id: string, baseVersion: number, mutationId: string): Promise<void>;
}

/** {@link RecordsGateway} over HTTP. */
export class RecordsClient implements RecordsGateway {
  constructor(private readonly http: KeyServiceHttp) {}

  async get(index: IndexName, id: string): Promise<StoredRecord> {
    return this.#record(await this.http.request('GET', path(index, id)));
  }

  async create(index: IndexName, id: string, record: JsonObject, mutationId: string): Promise<StoredRecord> {
    return this.#record(await this.http.request('PUT', path(index, id), { record, mutationId }));
  }

  async update(
    index: IndexName,
    id: string,
    changes: JsonObject,
    baseVersion: number,
    mutationId: string,
  ): Promise<StoredRecord> {
    return this.#record(
      await this.http.request('PATCH', path(index, id), { changes, baseVersion, mutationId }),
    );
  }

  async delete(index: IndexName, id: string, baseVersion: number, mutationId: string): Promise<void> {
    const response = await this.http.request('DELETE', path(index, id), { baseVersion, mutationId });
    if (response.status < 200 || response.status > 299) throw errorForStatus(response, 'record');
  }

  #record(response: Awaited<ReturnType<KeyServiceHttp['request']>>): StoredRecord {
    if (response.status < 200 || response.status > 299) throw errorForStatus(response, 'record');
    const body = response.body as Record<string, unknown> | null;
    // Accept `{record}` envelopes and bare records alike.
    const candidate = body && typeof body === 'object' && 'record' in body ? body['record'] : body;
    const parsed = recordSchema.safeParse(candidate);
    if (!parsed.success)
      throw new CoreError('unavailable', 'The key service answered with a malformed record.');
    return parsed.data;
  }
}

function path(index: IndexName, id: string): string {
  return `v1/records/${encodeURIComponent(index)}/${encodeURIComponent(id)}`;
}
