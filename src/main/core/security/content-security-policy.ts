/** Algolia's own hosts, used when no custom search hosts are configured. */
export const ALGOLIA_DEFAULT_CONNECT_SOURCES = [
  'https://*.algolia.net',
  'https://*.algolianet.com',
  'https://*.algolia.io',
] as const;

/**
 * The hosts the search client uses for application `appId` (its read host and the three
 * fallbacks, and the main host): with Algolia's own hosts, `connect-src` names this app's and no
 * other. The wildcards would let injected script post the journal to any Algolia app.
 */
export function algoliaAppSources(appId: string): string[] {
  const id = appId.toLowerCase();
  return [
    `https://${id}-dsn.algolia.net`,
    `https://${id}.algolia.net`,
    `https://${id}-1.algolianet.com`,
    `https://${id}-2.algolianet.com`,
    `https://${id}-3.algolianet.com`,
  ];
}

export interface CspOptions {
  /** Search hosts the renderer queries (configured `ALGOLIA_HOSTS`); empty → Algolia's own. */
  readonly searchHosts: readonly string[];
  /** With Algolia's own hosts, the application id (`ALGOLIA_APP_ID`) that pins them. */
  readonly algoliaAppId?: string;
  /** Origins that serve user media (images, voice notes). */
  readonly mediaOrigins?: readonly string[];
}

/**
 * The renderer's Content-Security-Policy, sent as a response header by the app:// protocol and
 * by the e2e host: scripts and styles only from the app itself, network access only to the
 * search hosts (the key service is called by main, never by the page), no frames, no plugins,
 * no forms, no base-URI tricks.
 */
export function rendererContentSecurityPolicy(options: CspOptions): string {
  const connect =
    options.searchHosts.length > 0
      ? options.searchHosts.map((host) => new URL(host).origin)
      : options.algoliaAppId
        ? algoliaAppSources(options.algoliaAppId)
        : [...ALGOLIA_DEFAULT_CONNECT_SOURCES];
  const media = (options.mediaOrigins ?? []).map((origin) => new URL(origin).origin);
  const directives: [string, string[]][] = [
    ['default-src', ["'none'"]],
    ['script-src', ["'self'"]],
    ['style-src', ["'self'"]],
    ['img-src', ["'self'", 'data:', 'blob:', ...media]],
    ['media-src', ["'self'", 'blob:', ...media]],
    ['font-src', ["'self'"]],
    ['connect-src', [...new Set(connect)]],
    ['worker-src', ["'none'"]],
    ['frame-src', ["'none'"]],
    ['child-src', ["'none'"]],
    ['object-src', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'none'"]],
    ['frame-ancestors', ["'none'"]],
  ];
  return directives.map(([name, values]) => `${name} ${values.join(' ')}`).join('; ');
}
