/**
 * Index-name and referer patterns of API keys: `*` matches any run of characters (`dev_*`,
 * `*_dev`, `*_products_*`); everything else is literal and case-sensitive.
 */
export function matchesPattern(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern === name;
  const parts = pattern.split('*');
  const first = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  if (!name.startsWith(first)) return false;
  let at = first.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i] as string;
    const found = name.indexOf(part, at);
    if (found < 0) return false;
    at = found + part.length;
  }
  return name.length - last.length >= at && name.endsWith(last);
}

/** Whether any pattern matches; an empty list allows everything. */
export function allowedBy(patterns: readonly string[], name: string): boolean {
  return patterns.length === 0 || patterns.some((p) => matchesPattern(p, name));
}

/** A referer read as a URL: scheme (when it has one), host (with port) and path. */
interface RefererParts {
  scheme?: string;
  host: string;
  path: string;
  query: string;
}

function refererParts(referer: string): RefererParts | undefined {
  const parse = (text: string): URL | undefined => {
    try {
      const url = new URL(text);
      return url.host === '' ? undefined : url;
    } catch {
      return undefined;
    }
  };
  const url = parse(referer);
  if (url)
    return { scheme: url.protocol.slice(0, -1), host: url.host, path: url.pathname, query: url.search };
  // Not an absolute URL (a bare `host/path`): its host and path, no scheme to match.
  const bare = parse(`http://${referer}`);
  return bare ? { host: bare.host, path: bare.pathname, query: bare.search } : undefined;
}

/**
 * Whether one `referers` pattern allows a referer. The pattern is read as a URL too — an optional
 * scheme, a host, an optional path — and each part is matched on its own (`*` wildcards), so a
 * wildcard never runs from the host into the path: `*.algolia.com` is not
 * `https://evil.example/x.algolia.com`. Without a path, any page of the host is allowed.
 */
function refererMatches(pattern: string, r: RefererParts): boolean {
  let rest = pattern;
  const scheme = /^([a-z*][a-z\d+.*-]*):\/\//i.exec(rest);
  if (scheme) {
    const wanted = (scheme[1] ?? '').toLowerCase();
    if (r.scheme === undefined || !matchesPattern(wanted, r.scheme)) return false;
    rest = rest.slice(scheme[0].length);
  }
  const slash = rest.indexOf('/');
  const host = (slash < 0 ? rest : rest.slice(0, slash)).toLowerCase();
  if (!matchesPattern(host, r.host)) return false;
  if (slash < 0) return true;
  const path = rest.slice(slash);
  // The query counts only for a pattern that names one: `algolia.com/page` is that page, however asked.
  return matchesPattern(path, path.includes('?') ? r.path + r.query : r.path);
}

/**
 * Whether a key's `referers` allow a request whose Referer (or, without one, Origin) is
 * `referer`. Blank patterns are ignored, and a list of none allows every request ("If empty or
 * blank, defaults to all referrers"). Patterns match the referer's host and path, with or without
 * its scheme: `*.algolia.com` allows `https://www.algolia.com/`, `algolia.com/*` allows
 * `https://algolia.com/x`, `https://algolia.com/*` only over https. A part without `*` must be
 * exactly the referer's.
 */
export function refererAllowed(patterns: readonly string[], referer: string | undefined): boolean {
  const active = patterns.map((p) => p.trim()).filter((p) => p.length > 0);
  if (active.length === 0) return true;
  const parts = referer === undefined ? undefined : refererParts(referer.trim());
  return parts !== undefined && active.some((p) => refererMatches(p, parts));
}
