/**
 * Partial updates with Algolia's built-in operations. Conditional operations (IncrementFrom,
 * IncrementSet) apply or ignore the WHOLE update, silently.
 */
import { z } from 'zod';
import { AlgoliaError } from '../errors';
import { jsonEqual, type JsonRecord } from './record-path';

const OPERATIONS = [
  'Increment',
  'Decrement',
  'Add',
  'Remove',
  'AddUnique',
  'IncrementFrom',
  'IncrementSet',
] as const;
type OperationName = (typeof OPERATIONS)[number];

const operationSchema = z.object({ _operation: z.string(), value: z.unknown() }).loose();

function asOperation(v: unknown): { op: OperationName; value: unknown } | null {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || !('_operation' in v)) return null;
  const parsed = operationSchema.safeParse(v);
  if (!parsed.success) throw new AlgoliaError(400, 'Invalid built-in operation');
  const op = parsed.data._operation;
  if (!(OPERATIONS as readonly string[]).includes(op)) {
    throw new AlgoliaError(400, `Unknown built-in operation: ${op}`);
  }
  return { op: op as OperationName, value: parsed.data.value };
}

/** Validates a partial update body at request time (so bad operations answer 400). */
export function validatePartial(body: Record<string, unknown>): void {
  for (const [key, v] of Object.entries(body)) {
    if (key === 'objectID') continue;
    const o = asOperation(v);
    if (!o) continue;
    const numeric =
      o.op === 'Increment' || o.op === 'Decrement' || o.op === 'IncrementFrom' || o.op === 'IncrementSet';
    if (numeric && (typeof o.value !== 'number' || !Number.isFinite(o.value))) {
      throw new AlgoliaError(400, `${o.op} expects a numeric value for attribute ${key}`);
    }
  }
}

/**
 * The record after applying `body` to `current` (undefined: missing), or undefined when the
 * update is ignored (a failed condition, or a missing record that must not be created).
 */
export function applyPartial(
  current: JsonRecord | undefined,
  objectID: string,
  body: Record<string, unknown>,
  createIfNotExists: boolean,
): JsonRecord | undefined {
  if (current === undefined && !createIfNotExists) return undefined;
  const next: Record<string, unknown> = current ? { ...current } : { objectID };
  for (const [key, v] of Object.entries(body)) {
    if (key === 'objectID') continue;
    const o = asOperation(v);
    if (!o) {
      next[key] = v;
      continue;
    }
    const cur = current ? current[key] : undefined;
    switch (o.op) {
      case 'Increment':
      case 'Decrement': {
        const delta = (o.value as number) * (o.op === 'Decrement' ? -1 : 1);
        next[key] = (typeof cur === 'number' ? cur : 0) + delta;
        break;
      }
      case 'Add': {
        const arr = Array.isArray(cur) ? [...(cur as unknown[])] : cur === undefined ? [] : [cur];
        arr.push(o.value);
        next[key] = arr;
        break;
      }
      case 'AddUnique': {
        const arr = Array.isArray(cur) ? [...(cur as unknown[])] : cur === undefined ? [] : [cur];
        if (!arr.some((x) => jsonEqual(x, o.value))) arr.push(o.value);
        next[key] = arr;
        break;
      }
      case 'Remove': {
        const arr = Array.isArray(cur) ? (cur as unknown[]) : cur === undefined ? [] : [cur];
        next[key] = arr.filter((x) => !jsonEqual(x, o.value));
        break;
      }
      case 'IncrementFrom': {
        const v0 = o.value as number;
        if (current === undefined) {
          if (v0 !== 0) return undefined;
        } else if ((typeof cur === 'number' ? cur : 0) !== v0) {
          return undefined;
        }
        next[key] = v0 + 1;
        break;
      }
      case 'IncrementSet': {
        const v0 = o.value as number;
        if (current === undefined) {
          if (!(v0 > 0)) return undefined;
        } else if (!(v0 > (typeof cur === 'number' ? cur : 0))) {
          return undefined;
        }
        next[key] = v0;
        break;
      }
    }
  }
  next.objectID = objectID;
  return next as JsonRecord;
}

/** Size of a record as Algolia counts it (bytes of its JSON). */
export function recordBytes(record: Record<string, unknown>): number {
  return Buffer.byteLength(JSON.stringify(record));
}

/** Throws Algolia's "Record is too big" 400 when the record exceeds the limit. */
export function checkRecordSize(
  record: Record<string, unknown>,
  limit: number,
  position: number,
  bytes?: number,
): void {
  const size = bytes ?? recordBytes(record);
  if (size > limit) {
    throw new AlgoliaError(
      400,
      `Record at the position ${position} objectID=${String(record.objectID)} is too big size=${size}/${limit} bytes. ` +
        'Please have a look at https://www.algolia.com/doc/guides/sending-and-managing-data/prepare-your-data/in-depth/index-and-records-size-and-usage-limitations/#record-size-limits',
      // Algolia's body names the record too (quoted in its own Salesforce cartridge, whose retry
      // drops the record `objectID` names and sends the batch again).
      { position, objectID: record.objectID },
    );
  }
}

/** Levels of objects and arrays a record may nest (Algolia: "The maximum nesting depth is 256 levels"). */
export const MAX_NESTING = 256;

/** Whether `value` holds objects or arrays nested more than `levels` deep (stops as soon as it does). */
export function nestedBeyond(value: unknown, levels: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (levels === 0) return true;
  if (Array.isArray(value)) {
    for (const v of value) if (nestedBeyond(v, levels - 1)) return true;
    return false;
  }
  for (const k in value) if (nestedBeyond((value as Record<string, unknown>)[k], levels - 1)) return true;
  return false;
}

/**
 * Refuses a record (or a partial update's body) whose attributes nest more than {@link MAX_NESTING}
 * levels: past that, walks over it (highlighting, sizing, serializing) could run out of stack and
 * fail every search that meets it. Our wording: Algolia's answer is not quoted anywhere.
 */
export function checkRecordNesting(record: Record<string, unknown>, position: number): void {
  for (const k in record) {
    if (nestedBeyond(record[k], MAX_NESTING - 1))
      throw new AlgoliaError(
        400,
        `Record at the position ${position} objectID=${String(record.objectID)} is nested too deeply: ` +
          `at most ${MAX_NESTING} levels`,
      );
  }
}
