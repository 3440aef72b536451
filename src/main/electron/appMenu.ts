import { Menu, type MenuItemConstructorOptions } from 'electron';
import type { AppCommand } from '../../shared/contract';

export interface AppMenuOptions {
  platform: NodeJS.Platform;
  developer: boolean;
  /** Carries out a menu command in the window (search, add server, …). */
  command(command: AppCommand): void;
  lock(): void;
  /** "Lock Keyport", or what locking does when nothing is needed to open it again (lockWords). */
  lockLabel: string;
}

/** Keyport's own commands with their shortcuts, then the standard, role-based menus: Edit gives
 * copy/paste shortcuts (macOS needs the menu for them), View offers reload and developer tools
 * only outside packaged builds. */
export function appMenuTemplate(options: AppMenuOptions): MenuItemConstructorOptions[] {
  const keyport: MenuItemConstructorOptions = {
    label: 'Keyport',
    submenu: [
      { label: 'Search…', accelerator: 'CmdOrCtrl+K', click: () => options.command('search') },
      { label: 'Overview', accelerator: 'CmdOrCtrl+0', click: () => options.command('overview') },
      { label: 'Add server…', accelerator: 'CmdOrCtrl+N', click: () => options.command('add-server') },
      { label: 'Activity', accelerator: 'CmdOrCtrl+Shift+A', click: () => options.command('activity') },
      { label: 'Settings…', accelerator: 'CmdOrCtrl+,', click: () => options.command('settings') },
      { type: 'separator' },
      { label: options.lockLabel, accelerator: 'CmdOrCtrl+L', click: () => options.lock() },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      ...(options.developer
        ? ([{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' }] satisfies MenuItemConstructorOptions[])
        : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };
  return [
    ...(options.platform === 'darwin' ? ([{ role: 'appMenu' }] satisfies MenuItemConstructorOptions[]) : []),
    { role: 'fileMenu' },
    keyport,
    { role: 'editMenu' },
    view,
    { role: 'windowMenu' },
  ];
}

export function installAppMenu(options: AppMenuOptions): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate(options)));
}
