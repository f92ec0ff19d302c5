import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv, parseMediaStorage } from './config';

const valid = {
  OIDC_ISSUER: 'http://127.0.0.1:7701',
  OIDC_AUDIENCE: 'https://keyservice.newdreamflow.local',
  ALGOLIA_APP_ID: 'NDFLOCAL',
  ALGOLIA_ADMIN_KEY: 'admin-key',
  ALGOLIA_SEARCH_KEY: 'search-key',
  ALGOLIA_HOSTS: 'http://127.0.0.1:7700',
};

function failure(env: Record<string, string>): string {
  try {
    configFromEnv(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('configFromEnv', () => {
  it('fills defaults', () => {
    const c = configFromEnv(valid);
    expect(c.searchKeyTtlSeconds).toBe(900);
    expect(c.port).toBe(7702);
    expect(c.algolia.hosts).toEqual(['http://127.0.0.1:7700']);
    expect(c.indexPrefix).toBe('');
    expect(c.media.kind).toBe('disk');
    expect(c.oidc.algorithms).not.toContain('HS256');
  });

  it('names every missing variable at once', () => {
    const msg = failure({});
    for (const name of [
      'OIDC_ISSUER',
      'OIDC_AUDIENCE',
      'ALGOLIA_APP_ID',
      'ALGOLIA_ADMIN_KEY',
      'ALGOLIA_SEARCH_KEY',
    ]) {
      expect(msg).toContain(`${name}: is required but not set`);
    }
  });

  it('names malformed values', () => {
    expect(failure({ ...valid, SEARCH_KEY_TTL_SECONDS: 'soon' })).toContain('SEARCH_KEY_TTL_SECONDS');
    expect(failure({ ...valid, SEARCH_KEY_TTL_SECONDS: '999999' })).toContain('at most 86400');
    expect(failure({ ...valid, ALGOLIA_HOSTS: 'not a url' })).toContain('ALGOLIA_HOSTS');
    expect(failure({ ...valid, OIDC_ISSUER: 'http://idp.example.com' })).toContain('must be https');
    expect(failure({ ...valid, OIDC_ALGORITHMS: 'RS256,HS256' })).toContain('only asymmetric');
    expect(failure({ ...valid, OIDC_ALGORITHMS: 'none' })).toContain('only asymmetric');
    expect(failure({ ...valid, MEDIA_STORAGE: 'ftp://x' })).toContain('MEDIA_STORAGE');
  });

  it('refuses plain http beyond loopback wherever keys, media or links travel', () => {
    for (const [name, value] of [
      ['ALGOLIA_HOSTS', 'http://search.internal.example.com:7700'],
      ['AWS_ENDPOINT_URL_S3', 'http://minio.example.com:9000'],
      ['PUBLIC_URL', 'http://ks.example.com'],
    ] as const)
      expect(failure({ ...valid, [name]: value }), name).toMatch(new RegExp(`${name}(\\.0)?: must be https`));
    for (const PUBLIC_URL of [
      'https://ks.example.com/x?y=1#z',
      'https://ks.example.com?',
      'https://ks.example.com#',
      'https://u:p@ks.example.com',
    ])
      expect(failure({ ...valid, PUBLIC_URL }), PUBLIC_URL).toContain('without query');
    // Loopback stays allowed (the embedded stack).
    expect(configFromEnv({ ...valid, ALGOLIA_HOSTS: 'http://127.0.0.1:7700' }).algolia.hosts).toEqual([
      'http://127.0.0.1:7700',
    ]);
  });

  it('needs PUBLIC_URL when it listens beyond loopback', () => {
    expect(failure({ ...valid, HOST: '0.0.0.0' })).toContain(
      'PUBLIC_URL: is required when HOST is not loopback',
    );
    expect(configFromEnv({ ...valid, HOST: '0.0.0.0', PUBLIC_URL: 'https://ks.example.com' }).publicUrl).toBe(
      'https://ks.example.com',
    );
  });

  it('refuses the admin key as the search key', () => {
    expect(failure({ ...valid, ALGOLIA_SEARCH_KEY: valid.ALGOLIA_ADMIN_KEY })).toContain('not the admin key');
  });

  it('treats an empty ALGOLIA_HOSTS as Algolia’s own hosts', () => {
    expect(configFromEnv({ ...valid, ALGOLIA_HOSTS: '' }).algolia.hosts).toEqual([]);
  });
});

describe('parseMediaStorage', () => {
  const s3 = { region: 'eu-west-1', endpoint: undefined, forcePathStyle: false };
  it('parses disk and s3 forms', () => {
    expect(parseMediaStorage('disk:/var/media', s3)).toEqual({ kind: 'disk', dir: '/var/media' });
    expect(parseMediaStorage('disk:rel', s3, '/srv')).toEqual({ kind: 'disk', dir: '/srv/rel' });
    expect(parseMediaStorage('s3://ndf-media/prod/uploads/', s3)).toMatchObject({
      kind: 's3',
      bucket: 'ndf-media',
      prefix: 'prod/uploads',
    });
    expect(parseMediaStorage('s3://ndf-media', s3)).toMatchObject({ bucket: 'ndf-media', prefix: '' });
  });
  it('refuses bad buckets and empty paths', () => {
    expect(() => parseMediaStorage('s3://Bad_Bucket', s3)).toThrow(ConfigError);
    expect(() => parseMediaStorage('disk:', s3)).toThrow(ConfigError);
  });
});
