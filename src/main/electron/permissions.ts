import type { Session } from 'electron';

/**
 * Denies every permission request and check (camera, microphone, notifications, geolocation,
 * HID, serial, USB, clipboard-read, …) by default. The app asks for none; a feature that needs
 * one adds it here explicitly.
 */
export function denyAllPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}
