import type { MenuItemConstructorOptions } from 'electron';
import { displayName } from '../../shared/displayText';
import { lockWords } from '../../shared/lockWords';
import type { LockStatus, SavedSecretView, ServerView } from '../../shared/model';

export interface TrayActions {
  copy(secretId: string): void;
  show(): void;
  lock(): void;
  quit(): void;
}

/** A menu item has no room for more, and (outside macOS) no tooltip with the rest. */
const TRAY_NAME_LENGTH = 60;

/** The tray menu: pinned tokens for a quick copy (in each kind's chosen format), then open,
 * lock and quit. Locked, it offers no tokens: the names would be shown without the person.
 * Token names come from servers: shown with controls made visible and cut (displayName). */
export function trayMenuTemplate(state: { locked: boolean; lock: LockStatus; saved: readonly SavedSecretView[]; servers: readonly ServerView[] }, actions: TrayActions): MenuItemConstructorOptions[] {
  const words = lockWords(state.lock);
  const serverName = new Map(state.servers.map((s) => [s.id, s.name]));
  const pinned = state.locked ? [] : state.saved.filter((s) => s.pinned && serverName.has(s.serverId));
  const copies: MenuItemConstructorOptions[] = pinned.length
    ? [{ label: 'Copy', enabled: false }, ...pinned.map((s) => ({ label: `${displayName(s.name, TRAY_NAME_LENGTH)} — ${displayName(serverName.get(s.serverId) ?? '')}`, click: () => actions.copy(s.id) }))]
    : [{ label: state.locked ? words.lockedTitle : 'Pin saved tokens in Keyport to copy them from here', enabled: false }];
  return [...copies, { type: 'separator' }, { label: 'Open Keyport', click: () => actions.show() }, { label: words.menuAction, enabled: !state.locked, click: () => actions.lock() }, { type: 'separator' }, { label: 'Quit Keyport', click: () => actions.quit() }];
}
