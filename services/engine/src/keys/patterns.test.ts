import { describe, expect, it } from 'vitest';
import { matchesPattern, refererAllowed } from './patterns';

describe('matchesPattern', () => {
  it('matches `*` wildcards, everything else literally', () => {
    expect(matchesPattern('dev_*', 'dev_x')).toBe(true);
    expect(matchesPattern('*_dev', 'a_dev')).toBe(true);
    expect(matchesPattern('*_products_*', 'a_products_b')).toBe(true);
    expect(matchesPattern('products', 'products_x')).toBe(false);
  });
});

describe('refererAllowed', () => {
  it('matches patterns without a scheme against the referer’s host and path', () => {
    expect(refererAllowed(['*.algolia.com'], 'https://www.algolia.com/')).toBe(true);
    expect(refererAllowed(['*.algolia.com'], 'https://www.algolia.com/docs?q=1')).toBe(true);
    expect(refererAllowed(['algolia.com/*'], 'https://algolia.com/x')).toBe(true);
    expect(refererAllowed(['algolia.com/*'], 'https://algolia.com')).toBe(true);
    expect(refererAllowed(['*algolia.com*'], 'http://www.algolia.com:8080/a')).toBe(true);
    // The Origin header (no path) is read the same way.
    expect(refererAllowed(['*.algolia.com'], 'https://www.algolia.com')).toBe(true);
  });

  it('matches patterns with a scheme against the whole referer', () => {
    expect(refererAllowed(['https://algolia.com/*'], 'https://algolia.com/page')).toBe(true);
    expect(refererAllowed(['https://algolia.com/*'], 'https://algolia.com')).toBe(true);
    expect(refererAllowed(['https://algolia.com/*'], 'http://algolia.com/page')).toBe(false);
  });

  it('stays strict: no `*`, exactly the host and path or the host', () => {
    expect(refererAllowed(['algolia.com'], 'https://algolia.com/')).toBe(true);
    expect(refererAllowed(['algolia.com/page'], 'https://algolia.com/page?x=1')).toBe(true);
    expect(refererAllowed(['algolia.com/page'], 'https://algolia.com/other')).toBe(false);
    expect(refererAllowed(['algolia.com'], 'https://www.algolia.com/')).toBe(false);
    expect(refererAllowed(['algolia.com'], 'https://algolia.com.evil.example/')).toBe(false);
    expect(refererAllowed(['*.algolia.com'], 'https://evil.example/?next=x.algolia.com')).toBe(false);
    // A wildcard never runs from the host into the path.
    expect(refererAllowed(['*.algolia.com'], 'https://evil.example/www.algolia.com')).toBe(false);
    expect(refererAllowed(['*.algolia.com/*'], 'https://evil.example/x.algolia.com/y')).toBe(false);
    expect(refererAllowed(['https://*.algolia.com'], 'https://evil.example/x.algolia.com')).toBe(false);
    expect(refererAllowed(['ALGOLIA.com'], 'https://algolia.com/')).toBe(true);
    expect(refererAllowed(['*.algolia.com'], undefined)).toBe(false);
    expect(refererAllowed(['*.algolia.com'], '')).toBe(false);
  });

  it('ignores blank patterns: none left allows every request', () => {
    expect(refererAllowed([], undefined)).toBe(true);
    expect(refererAllowed([''], undefined)).toBe(true);
    expect(refererAllowed(['', ' '], 'https://any.example/')).toBe(true);
    expect(refererAllowed(['', 'algolia.com'], undefined)).toBe(false);
    expect(refererAllowed(['', 'algolia.com'], 'https://algolia.com/')).toBe(true);
  });

  it('reads a referer that is no absolute URL as host and path', () => {
    expect(refererAllowed(['algolia.com/*'], 'algolia.com/x')).toBe(true);
    expect(refererAllowed(['*.algolia.com'], 'null')).toBe(false);
  });
});
