import { describe, expect, it } from 'vitest';
import { AccountStore, DEFAULT_ACCOUNTS_FILE, loadAccountsFile, parseAccounts } from './accounts';

const valid = {
  accounts: [
    { username: 'ada', password: 'correct horse', sub: 'dev|ada', name: 'Ada' },
    {
      username: 'grace',
      password: 'battery staple',
      sub: 'dev|grace',
      name: 'Grace',
      picture: 'https://example.com/g.png',
    },
  ],
};

describe('demo accounts file', () => {
  it('ships ada, grace and linus with distinct subjects', async () => {
    const accounts = await loadAccountsFile(DEFAULT_ACCOUNTS_FILE);
    expect(accounts.map((a) => a.username)).toEqual(expect.arrayContaining(['ada', 'grace', 'linus']));
    expect(new Set(accounts.map((a) => a.sub)).size).toBe(accounts.length);
  });

  it.each([
    ['an empty list', { accounts: [] }, /accounts/],
    [
      'a duplicate username',
      { accounts: [valid.accounts[0], { ...valid.accounts[1], username: 'ada' }] },
      /duplicate username/,
    ],
    [
      'a duplicate sub',
      { accounts: [valid.accounts[0], { ...valid.accounts[1], sub: 'dev|ada' }] },
      /duplicate sub/,
    ],
    ['a short password', { accounts: [{ ...valid.accounts[0], password: 'short' }] }, /password/],
    ['a sub with spaces', { accounts: [{ ...valid.accounts[0], sub: 'has space' }] }, /sub/],
    ['an unknown field', { accounts: [{ ...valid.accounts[0], admin: true }] }, /admin/],
    [
      'a javascript: picture',
      { accounts: [{ ...valid.accounts[0], picture: 'javascript:alert(1)' }] },
      /picture/,
    ],
  ])('refuses %s, naming the problem', (_name, data, message) => {
    expect(() => parseAccounts(data)).toThrow(message);
  });
});

describe('AccountStore', () => {
  const store = new AccountStore(parseAccounts(valid));

  it('accepts the right password, case-insensitive username', () => {
    expect(store.verifyPassword('ada', 'correct horse')?.sub).toBe('dev|ada');
    expect(store.verifyPassword(' ADA ', 'correct horse')?.sub).toBe('dev|ada');
  });

  it('refuses wrong passwords, unknown users and another account’s password', () => {
    expect(store.verifyPassword('ada', 'correct horse!')).toBeUndefined();
    expect(store.verifyPassword('ada', '')).toBeUndefined();
    expect(store.verifyPassword('nobody', 'correct horse')).toBeUndefined();
    expect(store.verifyPassword('ada', 'battery staple')).toBeUndefined();
  });

  it('releases profile claims, picture only when set', () => {
    const ada = store.findBySub('dev|ada');
    const grace = store.findBySub('dev|grace');
    if (!ada || !grace) throw new Error('missing');
    expect(AccountStore.claimsOf(ada)).toEqual({ sub: 'dev|ada', name: 'Ada', preferred_username: 'ada' });
    expect(AccountStore.claimsOf(grace).picture).toBe('https://example.com/g.png');
  });
});
