import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../../shared/ipc';

export interface MenuActions {
  /** Tells the renderer to run a command (palette, new entries). */
  readonly send: (command: MenuCommand) => void;
  readonly signOut: () => void;
}

/** Accelerators of the app's own commands (documented in the README's shortcuts table). */
export const ACCELERATORS = {
  'open-palette': 'CmdOrCtrl+K',
  'new-dream': 'CmdOrCtrl+N',
  'new-thing': 'CmdOrCtrl+Shift+N',
  'new-story': 'CmdOrCtrl+Alt+N',
  'sign-out': 'CmdOrCtrl+Shift+Q',
} as const;

/** The application menu: the platform's standard roles plus the app's commands. */
export function buildMenuTemplate(
  platform: NodeJS.Platform,
  actions: MenuActions,
  options: { devTools: boolean },
): MenuItemConstructorOptions[] {
  const isMac = platform === 'darwin';
  const command = (label: string, id: MenuCommand): MenuItemConstructorOptions => ({
    id,
    label,
    accelerator: ACCELERATORS[id],
    click: () => actions.send(id),
  });
  const signOut: MenuItemConstructorOptions = {
    id: 'sign-out',
    label: 'Sign Out',
    accelerator: ACCELERATORS['sign-out'],
    click: () => actions.signOut(),
  };
  return [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: '&File',
      submenu: [
        command('New Dream', 'new-dream'),
        command('New Thing', 'new-thing'),
        command('New Story', 'new-story'),
        { type: 'separator' },
        signOut,
        ...(isMac ? [] : [{ type: 'separator' as const }, { role: 'quit' as const }]),
      ],
    },
    { role: 'editMenu' },
    {
      label: '&View',
      submenu: [
        command('Command Palette…', 'open-palette'),
        { type: 'separator' },
        ...(options.devTools
          ? [{ role: 'reload' as const }, { role: 'toggleDevTools' as const }, { type: 'separator' as const }]
          : []),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ];
}
