import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/app-config';
import { rendererContentSecurityPolicy } from './content-security-policy';

const connectSrc = (csp: string): string[] =>
  (csp.split('; ').find((d) => d.startsWith('connect-src ')) ?? '').split(' ').slice(1);

describe('the renderer CSP connect-src', () => {
  it('names the configured search hosts', () => {
    expect(connectSrc(rendererContentSecurityPolicy({ searchHosts: ['http://127.0.0.1:7700/'] }))).toEqual([
      'http://127.0.0.1:7700',
    ]);
  });

  it('with Algolia’s own hosts, names only the configured application’s', () => {
    const config = loadConfig({ ALGOLIA_HOSTS: '', ALGOLIA_APP_ID: 'LATENCY' });
    const sources = connectSrc(
      rendererContentSecurityPolicy({ searchHosts: config.algoliaHosts, algoliaAppId: config.algoliaAppId! }),
    );
    expect(sources).toEqual([
      'https://latency-dsn.algolia.net',
      'https://latency.algolia.net',
      'https://latency-1.algolianet.com',
      'https://latency-2.algolianet.com',
      'https://latency-3.algolianet.com',
    ]);
    expect(sources.join(' ')).not.toContain('*');
  });

  it('without an application id, falls back to every Algolia host', () => {
    expect(connectSrc(rendererContentSecurityPolicy({ searchHosts: [] }))).toContain('https://*.algolia.net');
    expect(() => loadConfig({ ALGOLIA_APP_ID: 'not an id' })).toThrow(/ALGOLIA_APP_ID/);
  });
});
