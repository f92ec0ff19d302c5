import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TokenStore } from './token-store';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dev-idp-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('TokenStore', () => {
  it('finds, consumes, destroys and finds by uid', async () => {
    const store = await TokenStore.open();
    const sessions = store.adapterFor('Session');
    await sessions.upsert('s1', { uid: 'u1', accountId: 'a' }, 60);
    expect(await sessions.find('s1')).toMatchObject({ uid: 'u1', accountId: 'a' });
    expect(await sessions.findByUid('u1')).toMatchObject({ accountId: 'a' });
    await sessions.consume('s1');
    expect((await sessions.find('s1'))?.consumed).toEqual(expect.any(Number));
    await sessions.destroy('s1');
    expect(await sessions.find('s1')).toBeUndefined();
    expect(await sessions.findByUid('u1')).toBeUndefined();
  });

  it('returns copies, so callers cannot change what is stored', async () => {
    const store = await TokenStore.open();
    const grants = store.adapterFor('Grant');
    await grants.upsert('g', { accountId: 'a' }, 60);
    const found = await grants.find('g');
    if (found) found.accountId = 'mallory';
    expect((await grants.find('g'))?.accountId).toBe('a');
  });

  it('forgets expired entries', async () => {
    const store = await TokenStore.open();
    const codes = store.adapterFor('AuthorizationCode');
    await codes.upsert('c', { grantId: 'g' }, -1);
    expect(await codes.find('c')).toBeUndefined();
  });

  it('revokes every token of a grant and nothing else', async () => {
    const store = await TokenStore.open();
    const tokens = store.adapterFor('RefreshToken');
    await tokens.upsert('r1', { grantId: 'g1' }, 60);
    await tokens.upsert('r2', { grantId: 'g1' }, 60);
    await tokens.upsert('r3', { grantId: 'g2' }, 60);
    await tokens.revokeByGrantId('g1');
    expect(await tokens.find('r1')).toBeUndefined();
    expect(await tokens.find('r2')).toBeUndefined();
    expect(await tokens.find('r3')).toBeDefined();
  });

  it('persists every change before it resolves and reloads it', async () => {
    const store = await TokenStore.open({ dir });
    const tokens = store.adapterFor('RefreshToken');
    await Promise.all(
      Array.from({ length: 25 }, (_, i) => tokens.upsert(`r${i}`, { grantId: 'g', jti: `r${i}` }, 60)),
    );
    await tokens.consume('r3');
    await tokens.destroy('r4');
    const onDisk = JSON.parse(await readFile(join(dir, 'RefreshToken.json'), 'utf8')) as {
      entries: Record<string, unknown>;
    };
    expect(Object.keys(onDisk.entries)).toHaveLength(24);

    const reopened = await TokenStore.open({ dir });
    const again = reopened.adapterFor('RefreshToken');
    expect(await again.find('r24')).toMatchObject({ grantId: 'g' });
    expect((await again.find('r3'))?.consumed).toEqual(expect.any(Number));
    expect(await again.find('r4')).toBeUndefined();
  });

  it('refuses a damaged store file with a message naming it', async () => {
    await writeFile(join(dir, 'Session.json'), '{"version":1,"entries":{"x":{}}}');
    await expect(TokenStore.open({ dir })).rejects.toThrow(/Session\.json is malformed/);
  });
});
