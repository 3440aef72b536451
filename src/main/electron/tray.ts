import type { Menu as ElectronMenu, MenuItemConstructorOptions, NativeImage, Tray as ElectronTray } from 'electron';
import { preferredCopyFormat } from '../../shared/copyFormat';
import type { Core } from '../core/core';
import { createInProcessClient } from '../core/inProcessClient';
import { trayMenuTemplate } from './trayMenu';

export interface TrayDeps {
  createTray(icon: NativeImage): Pick<ElectronTray, 'setToolTip' | 'setContextMenu' | 'destroy'>;
  buildMenu(template: MenuItemConstructorOptions[]): ElectronMenu;
  icon: NativeImage;
  core: Core;
  show(): void;
  quit(): void;
  onError(message: string): void;
}

/** The tray icon and its menu of pinned tokens, redrawn whenever the saved tokens, the servers
 * or the lock state change. Copies go through the core like the window's (cleared after the
 * delay, recorded in the activity log). */
export function installTray(deps: TrayDeps): () => void {
  const tray = deps.createTray(deps.icon);
  tray.setToolTip('Keyport');
  const { call } = createInProcessClient(deps.core);
  const copy = async (secretId: string) => {
    try {
      const [saved, kinds, servers, settings] = await Promise.all([call('secrets.list'), call('kinds.list'), call('servers.list'), call('settings.get')]);
      const server = servers.find((s) => s.id === saved.find((x) => x.id === secretId)?.serverId);
      const kind = kinds.find((k) => k.kind === server?.kind);
      if (!kind) return;
      await call('clipboard.copy', { secretId, format: preferredCopyFormat(kind, settings) });
    } catch {
      deps.onError('A pinned token could not be copied from the tray.');
    }
  };
  const redraw = async () => {
    try {
      const status = await call('app.status');
      const locked = status.storage.locked;
      const [saved, servers] = locked ? [[], []] : await Promise.all([call('secrets.list'), call('servers.list')]);
      const lock = () => void call('app.lock').catch(() => deps.onError('Keyport could not lock from the tray.'));
      tray.setContextMenu(deps.buildMenu(trayMenuTemplate({ locked, lock: status.lock, saved, servers }, { copy: (id) => void copy(id), show: deps.show, lock, quit: deps.quit })));
    } catch {
      deps.onError('The tray menu could not be updated.');
    }
  };
  const off = deps.core.onEvent((event) => {
    if (event === 'secrets.changed' || event === 'servers.changed' || event === 'app.status') void redraw();
  });
  void redraw();
  return () => {
    off();
    tray.destroy();
  };
}
