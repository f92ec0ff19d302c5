import { randomUUID } from 'node:crypto';
import { algoliasearch } from 'algoliasearch';
import { describe, expect, it } from 'vitest';
import { algoliaUserToken, mintSearchKey } from './secured-key';

// Secured keys must stay short (Algolia warns very long keys can fail on some networks). The
// lengths below are documented in README.md; realistic inputs: a UUID sub, UUID group ids and the
// full set of index names with a `prod_` prefix.
const client = algoliasearch('APPID', 'admin');

function keyFor(groups: number): string {
  return mintSearchKey({
    client,
    appId: 'APPID',
    parentKey: 'a'.repeat(32),
    hosts: [],
    indexPrefix: 'prod_',
    ttlSeconds: 900,
    issuer: 'https://idp.example.com/',
    userId: randomUUID(),
    groupIds: Array.from({ length: groups }, () => randomUUID()),
    now: 1_800_000_000,
  }).searchKey;
}

describe('secured key length', () => {
  it('reports the key length for 0, 1, 10 and 50 groups', () => {
    const lengths = Object.fromEntries([0, 1, 10, 50].map((n) => [n, keyFor(n).length]));
    console.log(`secured key length by group count (prefix prod_, exact index names): ${JSON.stringify(lengths)}`);
    // Each group adds one `visible_to:"group:<uuid>"` atom: ~95 characters once URL-encoded and
    // base64-encoded; the exact names of 18 indices cost ~600 on their own.
    expect((lengths[10] ?? 0) - (lengths[1] ?? 0)).toBeLessThan(9 * 100);
    expect(lengths[50]).toBeLessThan(8_000);
  });

  // Known gap, kept visible: the 1,000-character target for 10 groups cannot be met with the
  // domain's token format (`group:<36-char uuid>` inside `visible_to:"…"` atoms) and exact index
  // names — the 10 group atoms alone take ~950 characters. See README.md "Secured key length".
  it.fails('stays under 1,000 characters for a user in 10 groups (not met yet: see README)', () => {
    console.log('secured key for 10 groups is over 1,000 characters with the current token format (expected failure)');
    expect(keyFor(10).length).toBeLessThan(1_000);
  });

  it('embeds exactly the restrictions the service means', () => {
    const key = keyFor(2);
    const params = new URLSearchParams(Buffer.from(key, 'base64').toString('utf8').slice(64));
    expect(params.get('validUntil')).toBe(String(1_800_000_000 + 900));
    expect(params.get('restrictIndices')?.split(',')).toContain('prod_dreams_created_at_desc');
    expect(params.get('filters')?.split(' OR ')).toHaveLength(4);
  });

  it('derives a pseudonymous, valid Algolia userToken', () => {
    const t = algoliaUserToken('https://idp.example.com/', 'auth0|someone@example.com');
    expect(t).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(t).toBe(algoliaUserToken('https://idp.example.com/', 'auth0|someone@example.com'));
    expect(t).not.toBe(algoliaUserToken('https://other.example.com/', 'auth0|someone@example.com'));
  });
});
