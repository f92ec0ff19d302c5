import { describe, expect, it } from 'vitest';
import { ConfigError, EMBEDDED_DEFAULTS, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('uses the embedded-stack defaults with an empty environment', () => {
    expect(loadConfig({})).toEqual({
      ...EMBEDDED_DEFAULTS,
      oidc: { ...EMBEDDED_DEFAULTS.oidc, scope: 'openid profile email offline_access journal' },
    });
  });

  it('sends prompt=consent unless OIDC_PROMPT says otherwise', () => {
    expect(loadConfig({}).oidc.prompt).toBeUndefined(); // the client's default: consent
    expect(loadConfig({ OIDC_PROMPT: 'login' }).oidc.prompt).toBe('login');
    expect(loadConfig({ OIDC_PROMPT: 'none-sent' }).oidc.prompt).toBeNull();
    expect(() => loadConfig({ OIDC_PROMPT: 'whatever' })).toThrow(/OIDC_PROMPT/);
  });

  it('reads the shared environment variables (empty counts as unset)', () => {
    const config = loadConfig({
      OIDC_ISSUER: 'https://id.example.com/',
      OIDC_CLIENT_ID: 'desktop',
      OIDC_AUDIENCE: 'https://api.example.com',
      OIDC_SCOPE: 'profile journal',
      KEYSERVICE_URL: 'https://keys.example.com',
      ALGOLIA_HOSTS: 'https://a.example.com, https://b.example.com',
      INDEX_PREFIX: 'prod_',
      NDF_SIGN_IN_TIMEOUT_MS: '',
    });
    expect(config.oidc).toEqual({
      issuer: 'https://id.example.com',
      clientId: 'desktop',
      audience: 'https://api.example.com',
      scope: 'profile journal openid offline_access',
    });
    expect(config.keyServiceUrl).toBe('https://keys.example.com');
    expect(config.algoliaHosts).toEqual(['https://a.example.com', 'https://b.example.com']);
    expect(config.indexPrefix).toBe('prod_');
    expect(config.signInTimeoutMs).toBe(EMBEDDED_DEFAULTS.signInTimeoutMs);
  });

  it('names every malformed setting', () => {
    const attempt = () =>
      loadConfig({
        OIDC_ISSUER: 'http://id.example.com',
        KEYSERVICE_URL: 'not a url',
        ALGOLIA_HOSTS: 'https://ok.example, ftp://x',
        INDEX_PREFIX: 'bad prefix!',
      });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const message = (error as Error).message;
      for (const name of ['OIDC_ISSUER', 'KEYSERVICE_URL', 'ALGOLIA_HOSTS', 'INDEX_PREFIX'])
        expect(message).toContain(name);
    }
  });

  it('reads an empty ALGOLIA_HOSTS as Algolia’s own hosts, an unset one as the embedded engine', () => {
    expect(loadConfig({ ALGOLIA_HOSTS: '' }).algoliaHosts).toEqual([]);
    expect(loadConfig({}).algoliaHosts).toEqual(['http://127.0.0.1:7700']);
    // Other empty variables still count as unset.
    expect(loadConfig({ KEYSERVICE_URL: '' }).keyServiceUrl).toBe('http://127.0.0.1:7702');
  });

  it('refuses credentials and queries in URLs', () => {
    expect(() => loadConfig({ KEYSERVICE_URL: 'https://user:pw@keys.example.com' })).toThrow(/credentials/);
    expect(() => loadConfig({ OIDC_ISSUER: 'https://id.example.com/?x=1' })).toThrow(/query/);
  });
});
