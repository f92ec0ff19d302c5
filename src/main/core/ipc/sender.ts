/**
 * Who sent an IPC message, as the transport saw it: Electron fills it from
 * `event.senderFrame`, the e2e host from the Playwright binding's source frame. `origin` is
 * `null` when the frame is gone or has an opaque origin.
 */
export interface SenderInfo {
  readonly frameIsTop: boolean;
  readonly origin: string | null;
}

/** Decides whether a sender may call main at all. */
export type SenderPolicy = (sender: SenderInfo) => boolean;

/** Only the top frame of the app's own origin(s) (e.g. `app://newdreamflow`). */
export function appTopFrameOnly(trustedOrigins: readonly string[]): SenderPolicy {
  const allowed = new Set(trustedOrigins);
  return (sender) =>
    sender.frameIsTop && sender.origin !== null && sender.origin !== 'null' && allowed.has(sender.origin);
}
