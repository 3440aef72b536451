import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import type { SavedSecretView, ServerView } from '../../shared/model';
import { trayMenuTemplate, type TrayActions } from './trayMenu';

const servers = [{ id: 'a', name: 'Prod' }, { id: 'b', name: 'Staging' }] as ServerView[];
const saved: SavedSecretView[] = [
  { id: 's1', serverId: 'a', name: 'deploy', savedAt: '', expiresAt: null, pinned: true },
  { id: 's2', serverId: 'a', name: 'laptop', savedAt: '', expiresAt: null, pinned: false },
  { id: 's3', serverId: 'b', name: 'ci', savedAt: '', expiresAt: null, pinned: true },
  { id: 's4', serverId: 'gone', name: 'orphan', savedAt: '', expiresAt: null, pinned: true },
];

function recorder() {
  const calls: string[] = [];
  const actions: TrayActions = { copy: (id) => calls.push(`copy ${id}`), show: () => calls.push('show'), lock: () => calls.push('lock'), quit: () => calls.push('quit') };
  return { calls, actions };
}
const PIN_LOCK = { unlockWith: 'unlock-secret', systemCheck: null } as const;
const NO_LOCK = { unlockWith: 'nothing', systemCheck: null } as const;
const labels = (items: MenuItemConstructorOptions[]) => items.map((i) => (i.type === 'separator' ? '---' : i.label));

describe('trayMenuTemplate', () => {
  it('lists the pinned tokens of existing servers for a quick copy, then open, lock and quit', () => {
    const { calls, actions } = recorder();
    const items = trayMenuTemplate({ locked: false, lock: PIN_LOCK, saved, servers }, actions);
    expect(labels(items)).toEqual(['Copy', 'deploy — Prod', 'ci — Staging', '---', 'Open Keyport', 'Lock Keyport', '---', 'Quit Keyport']);
    for (const item of items) (item.click as (() => void) | undefined)?.();
    expect(calls).toEqual(['copy s1', 'copy s3', 'show', 'lock', 'quit']);
  });

  it('says how to pin when nothing is pinned, and shows no token names while locked', () => {
    const { actions } = recorder();
    expect(labels(trayMenuTemplate({ locked: false, lock: PIN_LOCK, saved: [], servers }, actions))[0]).toBe('Pin saved tokens in Keyport to copy them from here');
    const locked = trayMenuTemplate({ locked: true, lock: PIN_LOCK, saved, servers }, actions);
    expect(labels(locked)).toEqual(['Keyport is locked', '---', 'Open Keyport', 'Lock Keyport', '---', 'Quit Keyport']);
    expect(locked.find((i) => i.label === 'Lock Keyport')?.enabled).toBe(false);
  });

  it('shows a server-chosen token name with its controls made visible and cut to 60 characters (issue 22, item 4)', () => {
    const { actions } = recorder();
    const hostile: SavedSecretView = { id: 'h', serverId: 'a', name: `\u202Eevil\x1b]0;x\x07${'n'.repeat(600)}`, savedAt: '', expiresAt: null, pinned: true };
    const label = String(labels(trayMenuTemplate({ locked: false, lock: NO_LOCK, saved: [hostile], servers }, actions))[1]);
    expect(label).toBe(`\\u{202E}evil\\u{001B}]0;x\\u{0007}${'n'.repeat(59 - 32)}… — Prod`);
    expect(label).not.toMatch(/[\p{Cc}\u202E]/u);
  });

  it('without an unlock secret, names the action for what it does and claims no lock', () => {
    const { actions } = recorder();
    expect(labels(trayMenuTemplate({ locked: false, lock: NO_LOCK, saved: [], servers }, actions))).toContain('Clear Secrets from Memory');
    const cleared = labels(trayMenuTemplate({ locked: true, lock: NO_LOCK, saved, servers }, actions));
    expect(cleared[0]).toBe('Secrets cleared from memory');
    expect(cleared.join(' ')).not.toMatch(/lock/i);
  });
});
