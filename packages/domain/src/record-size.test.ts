import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecordTooLargeError, assertRecordSize, recordSizeBytes } from './record-size';
import { utf8ByteLength } from './utf8';

describe('record size', () => {
  it('counts the UTF-8 bytes of the JSON', () => {
    expect(recordSizeBytes({})).toBe(2);
    expect(recordSizeBytes({ a: 'é' })).toBe(10); // {"a":"é"} = 8 ASCII + 2
    expect(recordSizeBytes({ a: '😀' })).toBe(12);
    expect(recordSizeBytes({ a: '"\n' })).toBe(12); // escaped: \" \n
    expect(recordSizeBytes({ a: '\uD800' })).toBe(14); // lone surrogate escaped as \ud800
    expect(() => recordSizeBytes(undefined)).toThrow(TypeError);
  });

  it('matches TextEncoder for any string', () => {
    const enc = new TextEncoder();
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.string({
          unit: fc.integer({ min: 0xd700, max: 0xe000 }).map((c) => String.fromCharCode(c)),
          maxLength: 20,
        }),
        (a, b) => {
          expect(utf8ByteLength(a + b)).toBe(enc.encode(a + b).length);
          expect(recordSizeBytes({ a, b })).toBe(enc.encode(JSON.stringify({ a, b })).length);
        },
      ),
    );
  });

  it('accepts a record at the limit and refuses one byte over, naming it', () => {
    const record = { objectID: 'abc', text: '' };
    const overhead = recordSizeBytes(record);
    const at = { ...record, text: 'x'.repeat(10_000 - overhead) };
    expect(assertRecordSize(at)).toBe(10_000);
    const over = { ...record, text: 'x'.repeat(10_001 - overhead) };
    let error: unknown;
    try {
      assertRecordSize(over, 10_000, 'prod_dreams');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RecordTooLargeError);
    expect(error).toMatchObject({
      name: 'RecordTooLargeError',
      code: 'record_too_large',
      indexName: 'prod_dreams',
      objectID: 'abc',
      sizeBytes: 10_001,
      limitBytes: 10_000,
    });
    expect((error as Error).message).toBe(
      'record abc in prod_dreams is 10001 bytes, over the 10000-byte limit',
    );
    expect(() => assertRecordSize({ t: 'é'.repeat(60_000) }, 100_000)).toThrow(RecordTooLargeError);
    expect(assertRecordSize({ t: 'é'.repeat(40_000) }, 100_000)).toBe(80_008);
    expect(() => assertRecordSize({}, 0)).toThrow(RangeError);
  });
});
