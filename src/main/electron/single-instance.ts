import type { App } from 'electron';

/**
 * Holds the single-instance lock. A second launch focuses the first instance's window and
 * exits; returns false in that second process (which must quit without building anything).
 */
export function acquireSingleInstance(app: App, focusExisting: () => void): boolean {
  if (!app.requestSingleInstanceLock()) return false;
  app.on('second-instance', () => focusExisting());
  return true;
}
