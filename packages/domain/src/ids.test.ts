import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PROJECT_NAMESPACE,
  legacyObjectId,
  newObjectId,
  newObjectIdSchema,
  objectIdSchema,
  userIdSchema,
  uuidSchema,
  uuidV5,
} from './ids';

const DNS = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
const URL_NS = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

describe('UUIDv5', () => {
  it('matches published vectors', () => {
    // RFC 9562 appendix A.4.
    expect(uuidV5('www.example.com', DNS)).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
    // Python's uuid documentation.
    expect(uuidV5('python.org', DNS)).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
    expect(uuidV5('http://python.org/', URL_NS)).toBe('4c565f0d-3f5a-5890-b41b-20cf47701c5e');
  });

  it('hashes the UTF-8 bytes of non-ASCII names', () => {
    // Computed independently with Python: uuid.uuid5(uuid.NAMESPACE_DNS, "ünïcödé😀").
    expect(uuidV5('ünïcödé😀', DNS)).toBe('5f247588-432a-55e5-874d-f608cd768c0b');
  });

  it('derives the project namespace as documented', () => {
    expect(uuidV5('newdreamflow.app', DNS)).toBe(PROJECT_NAMESPACE);
  });

  it('gives legacy rows fixed ids (changing the namespace or the name format would orphan migrated records)', () => {
    expect(legacyObjectId('dream', 42)).toBe(uuidV5('legacy:dream:42', PROJECT_NAMESPACE));
    expect(legacyObjectId('dream', 42)).toBe(legacyObjectId('dream', '42'));
    expect(legacyObjectId('dream', 42)).not.toBe(legacyObjectId('thing', 42));
    expect(legacyObjectId('dream', 42)).toBe('a4b9d43c-277f-553b-9d4e-6ccc2e8b2ed2'); // Python: uuid5(UUID(PROJECT_NAMESPACE), 'legacy:dream:42');
    expect(objectIdSchema.safeParse(legacyObjectId('story', 7)).success).toBe(true);
    expect(newObjectIdSchema.safeParse(legacyObjectId('story', 7)).success).toBe(false);
  });

  it('refuses malformed legacy keys', () => {
    expect(() => legacyObjectId('dream', -1)).toThrow(RangeError);
    expect(() => legacyObjectId('dream', 1.5)).toThrow(RangeError);
    expect(() => legacyObjectId('dream', '')).toThrow(RangeError);
    expect(() => legacyObjectId('nope' as 'dream', 1)).toThrow();
  });
});

describe('objectIDs', () => {
  it('generates distinct lowercase v4 ids', () => {
    const ids = new Set(Array.from({ length: 1000 }, newObjectId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(newObjectIdSchema.parse(id)).toBe(id);
  });

  it('refuses non-canonical ids', () => {
    const v4 = newObjectId();
    expect(objectIdSchema.safeParse(v4.toUpperCase()).success).toBe(false);
    expect(objectIdSchema.safeParse(`{${v4}}`).success).toBe(false);
    expect(objectIdSchema.safeParse(v4.replace(/-/g, '')).success).toBe(false);
    expect(objectIdSchema.safeParse('6ba7b810-9dad-11d1-80b4-00c04fd430c8').success).toBe(false); // v1
    expect(objectIdSchema.safeParse('00000000-0000-0000-0000-000000000000').success).toBe(false);
    expect(objectIdSchema.safeParse(`${v4} `).success).toBe(false);
    expect(uuidSchema.safeParse('6ba7b810-9dad-11d1-80b4-00c04fd430c8').success).toBe(true);
  });
});

describe('user ids', () => {
  it('accepts the formats issuers use', () => {
    for (const sub of [
      'auth0|5f7c8ec7c33c6c004bbafe82',
      'google-oauth2|104281746429735616124',
      'samlp|corp|jane.doe+test@example.com',
      '00u1a2b3c4D5e6F7g8h9',
      'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ',
      '001234.0a1b2c3d4e5f.1234',
      'f81d4fae-7dec-11d0-a765-00a0c91e6bf6',
      'a/b=c:d~e',
    ]) {
      expect(userIdSchema.parse(sub)).toBe(sub);
    }
  });

  it('refuses ids that could break a filter or are not ASCII', () => {
    for (const bad of [
      '',
      ' ',
      'a b',
      'a"b',
      "a'b",
      'a\\b',
      'a`b',
      'a^b',
      'a\nb',
      'ü',
      '😀',
      'a'.repeat(256),
      'x\u0000',
    ]) {
      expect(userIdSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('accepts exactly the printable ASCII alphabet minus the reserved characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }), (s) => {
        const expected = Array.from(s).every((c) => c >= '!' && c <= '~' && !`"'\\\`^`.includes(c));
        expect(userIdSchema.safeParse(s).success).toBe(expected);
      }),
    );
  });
});
