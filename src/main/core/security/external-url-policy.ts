/**
 * Which URLs may leave the app for the system browser. https links are fine; anything else
 * (file:, javascript:, custom schemes, plain http) is refused, except the identity provider's
 * own origin during sign-in (the embedded dev IdP is plain http on 127.0.0.1).
 */
export interface ExternalUrlPolicy {
  /** Origins allowed in addition to https (e.g. the IdP's authorization endpoint). */
  readonly extraOrigins?: readonly string[];
}

/** `null` when `raw` may be opened, otherwise why not (safe to log: no URL content). */
export function checkExternalUrl(raw: string, policy: ExternalUrlPolicy = {}): string | null {
  if (!URL.canParse(raw)) return 'not a URL';
  const url = new URL(raw);
  if (url.username !== '' || url.password !== '') return 'credentials in URL';
  if ((policy.extraOrigins ?? []).includes(url.origin)) return null;
  if (url.protocol !== 'https:') return `scheme ${url.protocol} not allowed`;
  return null;
}
