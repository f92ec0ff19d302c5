import { shell } from 'electron';
import type { Logger } from '../core/log/logger';
import { checkExternalUrl } from '../core/security/external-url-policy';

/** The one way the app opens anything outside itself. */
export interface ExternalOpener {
  /** Opens an https link in the system browser; anything else is refused. */
  open(url: string): Promise<void>;
  /** Opens the IdP's authorization page (its origin is allowed even when it is loopback http). */
  openSignInPage(url: URL): Promise<void>;
}

/**
 * The allow-list for `shell.openExternal`: https only, plus the identity provider's origin for
 * sign-in. Refusals are logged with the reason, never the URL (it may carry a state or code).
 */
export function createExternalOpener(options: { issuer: string; logger: Logger }): ExternalOpener {
  const issuerOrigin = new URL(options.issuer).origin;
  const open = async (url: string, extraOrigins: readonly string[]): Promise<void> => {
    const refused = checkExternalUrl(url, { extraOrigins });
    if (refused !== null) {
      options.logger.warn('shell.open-external-refused', { reason: refused });
      throw new Error(`Refused to open an external URL: ${refused}`);
    }
    // Hand the OS the URL exactly as checked: the parser drops leading controls, tabs and
    // newlines and reads backslashes as slashes, and OS handlers need not agree with it.
    await shell.openExternal(new URL(url).href, { activate: true });
  };
  return {
    open: (url) => open(url, []),
    openSignInPage: (url) => open(url.href, [issuerOrigin]),
  };
}
